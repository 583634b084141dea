"""The conversation layer: carries out what a Reply asks for, for both shells. No Telegram."""

from bot.conversation.layer import Conversation, Who
from bot.conversation.turn import Turn

__all__ = ["Conversation", "Turn", "Who"]
