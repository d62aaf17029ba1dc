"""Who a scan pass reads deals for: the owners who can still be nudged today (level 1) and the
owners whose manager can (level 2) — nobody spent, inactive or unreachable."""

from __future__ import annotations

from backend.services.nudges.scan import recipients


def person(user_id, *, manager_id=None, active=True, wecom="w", sent=0, spent=False, tenant_id=1):
    return {"tenant_id": tenant_id, "user_id": user_id, "active": active, "wecom_userid": wecom,
            "manager_id": manager_id, "sent": sent, "spent": spent}


def test_a_spent_rep_is_not_read_for_level_one_but_their_deals_still_escalate_to_a_manager_who_is_not():
    people = [person(1), person(2, manager_id=1, sent=5, spent=True), person(3, manager_id=1, sent=2)]
    who = recipients(people)
    assert list(zip(who["o1_users"], who["o1_sent"])) == [(1, 0), (3, 2)]
    assert list(zip(who["o2_users"], who["o2_managers"], who["o2_sent"])) == [(2, 1, 0), (3, 1, 0)]


def test_a_spent_manager_stops_level_two_and_inactive_or_unreachable_owners_get_nothing():
    people = [person(1, sent=5, spent=True), person(2, manager_id=1), person(3, manager_id=1, wecom=None),
              person(4, manager_id=1, active=False)]
    who = recipients(people)
    assert who["o1_users"] == [2] and who["o2_users"] == []


def test_nobody_left_means_empty_arrays_not_missing_ones():
    who = recipients([person(1, sent=5, spent=True)])
    assert all(who[k] == [] for k in ("o1_tenants", "o1_users", "o1_sent", "o2_tenants", "o2_users",
                                      "o2_managers", "o2_sent"))


def test_people_of_two_tenants_with_the_same_ids_are_kept_apart():
    people = [person(1, tenant_id=1, sent=5, spent=True), person(2, tenant_id=1, manager_id=1),
              person(1, tenant_id=2), person(2, tenant_id=2, manager_id=1)]
    who = recipients(people)
    assert list(zip(who["o1_tenants"], who["o1_users"])) == [(1, 2), (2, 1), (2, 2)]
    assert list(zip(who["o2_tenants"], who["o2_users"])) == [(2, 2)]
