"""Notification channels, the pure half: configuration, vendor request payloads and reply classification.

Nothing here touches the network, the clock or the environment of the process; ``exports.delivery`` does.
"""

from exports.channels.config import ChannelConfig, ChannelConfigError, ChannelSpec, RateLimit, Secret
from exports.channels.errors import Ambiguous, Fail, Outcome, Retry, Sent

__all__ = [
    "Ambiguous",
    "ChannelConfig",
    "ChannelConfigError",
    "ChannelSpec",
    "Fail",
    "Outcome",
    "RateLimit",
    "Retry",
    "Secret",
    "Sent",
]
