"""Digital business cards (名片) and the customers who open them.

``cards`` (a rep's card and its public code), ``sessions`` (mini-program logins), ``visitors``
(who is looking), ``tracking`` (opens, forwards, events), ``inquiries`` (inquiries become leads),
``radar`` (客户雷达 and its intent score), ``funnel`` (the workbench's funnel and team views),
``ratelimit`` (limits on the public endpoints).
"""
