"""What of a caller's number may reach a log line."""

from switchboard.routing.privacy import masked_number


def test_logs_show_the_last_three_digits_and_the_loop_suffix_only() -> None:
    assert masked_number("+4790595313") == "…313"
    assert masked_number("90595313-111") == "…313-111"
    assert masked_number("anonymous") == "caller"
    assert masked_number("anonymous-113") == "caller-113"
