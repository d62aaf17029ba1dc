"""WeChat Work's AI bot (智能机器人): JSON callbacks, streams, button cards and the long connection.

Same conversation path as every channel (``bot.dispatch.handle``: identify → claim once →
converse → reply); this package only speaks the AI bot's protocol around it:

- ``crypto``: signature, AES (wechatpy, receive id ``""``) and the encrypted JSON envelope;
- ``message``: the decrypted JSON reduced to what the assistant reads (text, voice transcript,
  mixed text parts, quotes, events);
- ``service``: one message → the passive reply body (stream, template card, text), shared by the
  callback route and ``tuoke aibot`` (the long connection);
- ``streams``: slow answers kept in PostgreSQL and finished on WeChat Work's refreshes;
- ``cards``: a rep's pending question as a button card, and taps that act once.
"""
