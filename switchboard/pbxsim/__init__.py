"""A PBX simulator that speaks AMI exactly as Asterisk 22 does (as recorded in the transcripts).

It is a stand-in for Asterisk in the demo, the tests and the benchmarks: queues, members,
callers choosing 1/2/3 (or 9 for English), agents answering, callers abandoning.
"""
