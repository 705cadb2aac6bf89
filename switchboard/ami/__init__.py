"""The only package that speaks the Asterisk Manager Interface wire protocol.

Everything outside it sees typed events (`routing.ami.events`) and typed actions
(`routing.ami.actions`) and talks to an `AmiClient`.
"""
