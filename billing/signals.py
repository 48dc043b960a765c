"""Billing's signals, so apps that billing must not import can follow its money."""

from django.dispatch import Signal

# Sent inside the transaction that writes a royalty clawback, with ``job_id`` (a string):
# the generation app zeroes that generation's royalty in the same commit.
royalty_clawed_back = Signal()
