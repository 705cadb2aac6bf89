"""The `promises:` section of the YAML config: catalogue, mail, texts, retention."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from switchboard.promises.catalogue import Catalogue, Department, Level, Topic
from switchboard.promises.keeper import DEFAULT_NOTICE, PromiseRules
from switchboard.promises.mail import DEFAULT_SUBJECT, template_problem

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]
Inbox = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelConfig(_Strict):
    name: str = Field(min_length=1, max_length=80)
    inbox: Inbox
    reaction_working_days: int = Field(default=1, ge=0, le=20)


class DepartmentConfig(_Strict):
    id: Id
    title: str = Field(min_length=1, max_length=80)
    inbox: Inbox
    agents: tuple[Id, ...] = ()


class TopicConfig(_Strict):
    id: Id
    title: dict[str, str]
    action: str = Field(min_length=1, max_length=80)
    department: Id
    promise_working_days: int = Field(default=2, ge=1, le=30)
    escalation: tuple[LevelConfig, ...] = ()

    @field_validator("title")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        if not value or set(value) - {"no", "en"}:
            raise ValueError("give the title by language: no and/or en")
        return value


class MailConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    username: str = ""
    password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    sender: Inbox = "switchboard@localhost"


class PromisesConfig(_Strict):
    mail: MailConfig | None = None  # None: inquiries are stored and shown, no mail is sent
    subject: str = DEFAULT_SUBJECT
    language: str = Field(default="no", pattern=r"^(no|en)$")
    notice: dict[str, str] = dict(DEFAULT_NOTICE)
    keep_days: int = Field(default=400, ge=1, le=3650)
    departments: tuple[DepartmentConfig, ...] = ()
    topics: tuple[TopicConfig, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _language_no(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("language") is False:
            return {**data, "language": "no"}  # YAML 1.1 reads a bare `no` as false
        return data

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        if problem := template_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("notice")
    @classmethod
    def _notice(cls, value: dict[str, str]) -> dict[str, str]:
        for language, text in value.items():
            try:
                text.format(ref="", reason="", due="")
            except (KeyError, IndexError, ValueError):
                raise ValueError(
                    f"notice {language!r} may use only {{ref}}, {{reason}} and {{due}}"
                ) from None
        return value

    @model_validator(mode="after")
    def _references(self) -> PromisesConfig:
        known = {d.id for d in self.departments}
        for topic in self.topics:
            if topic.department not in known:
                raise ValueError(
                    f"topic {topic.id!r} names department {topic.department!r}, which is not "
                    "under promises.departments"
                )
        ids = [t.id for t in self.topics]
        if len(ids) != len(set(ids)):
            raise ValueError("two topics have the same id")
        return self

    def rules(self) -> PromiseRules:
        return PromiseRules(
            catalogue=Catalogue(
                {
                    t.id: Topic(
                        t.id,
                        dict(t.title),
                        t.action,
                        t.department,
                        t.promise_working_days,
                        tuple(
                            Level(e.name, e.inbox, e.reaction_working_days) for e in t.escalation
                        ),
                    )
                    for t in self.topics
                },
                {
                    d.id: Department(d.id, d.title, d.inbox, frozenset(d.agents))
                    for d in self.departments
                },
            ),
            subject=self.subject,
            sender=self.mail.sender if self.mail else "switchboard@localhost",
            notice=dict(self.notice),
            language=self.language,
            keep_days=self.keep_days,
        )
