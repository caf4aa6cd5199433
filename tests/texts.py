"""Article texts several test modules build corpora from (written here, not taken from any corpus)."""

FESTIVAL = """Harbour festival draws record crowds despite the rain

July 14, 2024

PORT ELLIS — More than forty thousand visitors came to the harbour festival over the weekend, organisers
said on Monday, the largest number since the event began in 1987. Fishing boats decorated with flags
paraded past the old lighthouse while brass bands played on the quay.

Stallholders said they had sold out of smoked mackerel by Saturday afternoon. “People came in raincoats
and stayed until midnight,” said Tom Avery, who has run a seafood stall at the festival for twenty years.

Next year the festival will add a rowing race between the neighbouring villages, the mayor announced,
and a new footbridge should make it easier to reach the quay from the railway station.

Local hotels reported that every room had been booked for the three nights of the festival, and the
ferry company added two late crossings on Saturday to carry visitors back to the islands after the
fireworks, which were launched from a barge anchored in the middle of the bay.
"""
