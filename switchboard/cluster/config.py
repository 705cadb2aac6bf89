"""The `redis:` section of the YAML config: one server or Sentinels, the lease, the data key."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class RedisConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(default="redis://127.0.0.1:6379/0", pattern=r"^(redis|rediss|unix)://\S+$")
    data_key_env: str = Field(default="SWITCHBOARD_DATA_KEY", pattern=r"^[A-Z_][A-Z0-9_]*$")
    max_connections: int = Field(default=20, ge=1, le=1000)
    lease_s: float = Field(default=6.0, ge=1, le=60)  # a dead leader is replaced within this
    # Redis Sentinel (host:port each): the engine asks them for the primary of
    # `sentinel_service` and follows a failover; `url` then gives only db and password.
    sentinels: tuple[Annotated[str, Field(pattern=r"^[A-Za-z0-9.\[\]:-]+:[0-9]{1,5}$")], ...] = ()
    sentinel_service: str = Field(default="switchboard", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    sentinel_password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
