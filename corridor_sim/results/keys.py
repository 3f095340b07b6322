"""Keys shared by the summary and its readers (kept apart so reading them loads nothing else)."""

ALL = "*"  # the key of "every counted truck of the scenario"
