"""The shared lead pool (公海) and account tiers (大客户): rules, release / claim / keep, the
recycle pass with its warnings, and account scores."""

from backend.services.pool import recycle as _recycle  # noqa: E402,F401  (registers the outbox check)
