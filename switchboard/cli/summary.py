"""What a config says, as check-config prints it, and the files it gives Asterisk."""

from __future__ import annotations

from switchboard.config import Settings
from switchboard.ivr.generate import asterisk_files


def retention_line(settings: Settings) -> str:
    """How long personal and report data are kept (docs/reports.md, docs/promises.md)."""
    p = settings.promises
    done = f"done callbacks and inquiries kept {p.keep_days} days (store and Redis expiry)"
    if settings.reports is None:
        return f"retention: {done}; no reports store"
    return (
        f"retention: {done}; reports (queue_log lines, outcomes) {settings.reports.keep_days} days"
    )


def service_lines(settings: Settings) -> list[str]:
    """What check-config says of the contact-centre craft (docs/craft.md)."""
    from switchboard.ivr.service import describe as describe_service

    plan = settings.ivr
    assert plan is not None
    out = [f"service in {r.loop_id}: {describe_service(r.service)}" for r in plan.routes.values()]
    codes = plan.features
    out.append(
        "phone codes: off"
        if codes is None
        else f"phone codes: {codes.pause} pause, {codes.resume} resume "
        f"(reason '{codes.reason}'; phones' context: include => sb-features)"
    )
    if any(r.service.record for r in plan.routes.values()):
        rec = plan.recording
        out.append(
            f"recordings: {rec.directory}, yes is key {rec.consent_digit}, kept {rec.keep_days} "
            f"days, for role '{settings.ivr_config.recording.access_role}' only"
        )
    ringing = [
        r.loop_id
        for r in plan.routes.values()
        if r.service.when_all_in_meetings.value == "ring_opted_in"
    ]
    if ringing:
        who = ", ".join(sorted(settings.ring_in_meetings)) or (
            "nobody yet (agents[].ring_in_meetings, or the toggle on their screen)"
        )
        out.append(f"ring in meetings if nobody else can ({', '.join(ringing)}): opted in {who}")
    if any(r.service.rating for r in plan.routes.values()):
        out.append(f"ratings: keys 1-{plan.rating.scale}, kept by loop and week")
    sup = settings.supervisor
    holders = [a.id for a in settings.roster.agents.values() if sup.role in a.roles]
    notice = plan.closures.holiday_notice_days
    out.append(
        f"supervisors (role '{sup.role}'): {', '.join(holders) or 'nobody'}; closure messages: "
        f"{', '.join(sup.messages)}; holiday notice: "
        + (f"{notice} day(s) before" if notice else "off")
    )
    for language in ("no", "en"):
        out.append(f"closing line ({language}): {settings.closings.say(language)}")
    out.append(calendar_codes_line(settings))
    return out


def calendar_codes_line(settings: Settings) -> str:
    """What check-config says of calendar codes (docs/craft.md)."""
    p = settings.presence
    line = p.subject_codes.codes().describe()
    ews = any(
        (where := settings.calendar_location(a)) and where[0] == "ews"
        for a in settings.roster.agents.values()
    )
    if p.subject_codes.enabled and ews and p.ews_mode == "free_busy":
        line += "; note: ews_mode free_busy carries no subjects, so EWS calendars use show-as only"
    return line


def settings_files(settings: Settings) -> dict[str, str]:
    """The Asterisk files for a loaded config (also what the deploy/asterisk test compares)."""
    assert settings.ivr is not None
    return asterisk_files(
        settings.ivr,
        strategies=dict(settings.strategies),
        service_level_s=settings.ivr_config.service_level_s,
        ami_username=settings.ami.username,
        ami_permit=settings.ami.permit,
    )
