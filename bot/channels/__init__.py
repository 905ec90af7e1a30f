"""The coach's own Rasa input/output channels (see `bot.channels.telegram`)."""
