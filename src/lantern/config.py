"""Every setting Lantern reads, validated in one place: ``LANTERN_*`` variables and an optional TOML file.

Precedence: explicit arguments (``--data-dir``, ``--database-url``), then ``LANTERN_*`` environment
variables, then the ``[lantern]`` table of the file named by ``LANTERN_CONFIG``, then the defaults below.
Environment wins over the file so that one deployment file can serve several shells and tests can point a
run at a throw-away data folder without editing anything.

Mistakes fail loudly with one line that names them (:class:`ConfigError`): a ``LANTERN_CONFIG`` that names
no file, a key the file should not have (with the nearest known name), a value of the wrong type, in the
file (with its line) or in a variable (with its name). pydantic-settings merges the sources and validates;
this module only turns its errors into lines a person can act on.

To add a setting, add one field to :class:`Settings` with a comment saying what it does; it is then read
from ``LANTERN_<NAME>`` and from ``<name>`` in the file, shown by ``lantern config show`` and documented in
docs/deploy.md's table.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

ENV_PREFIX = "LANTERN_"
CONFIG_ENV = "LANTERN_CONFIG"
SECRET_FIELDS = frozenset({"smtp_password", "oidc_client_secret"})
"""Shown masked by ``lantern config show``; the password inside ``database_url`` is masked too."""


class ConfigError(ValueError):
    """A setting is missing, unknown or wrong; the message is one line naming where."""


class Settings(BaseSettings):
    """Where Lantern keeps its data, how it reads records, and how the server meets its users."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    data_dir: Path = Path("./lantern-data")
    database_url: str = ""  # empty: SQLite in data_dir/lantern.db; postgresql://… goes through pg8000
    default_region: str = Field("US", min_length=2, max_length=2)
    batch_size: int = Field(2000, ge=1)
    ingest_workers: int = Field(
        0, ge=0
    )  # processes reading records at ingest; 0 lets `lantern ingest` choose
    quarantine_limit: int = Field(10_000, ge=0)  # quarantined in a row before a file is read no further
    max_image_bytes: int = Field(50 * 1024 * 1024, ge=1)
    max_image_pixels: int = Field(64_000_000, ge=1)
    image_roots: Annotated[tuple[Path, ...], NoDecode] = ()  # os.pathsep-separated in the environment
    # Alerts: SMTP for e-mail delivery, webhooks, the pHash distance for watched images and CSAM lists.
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "lantern@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    webhook_timeout_s: float = Field(10.0, gt=0)
    watch_phash_distance: int = Field(8, ge=0, le=64)
    csam_phash_distance: int = Field(6, ge=0, le=64)
    # The server: the address users reach it at (links in alerts; the sign-in form's origin check behind a
    # proxy that rewrites Host), cookies only over TLS, how long unheld records are kept, its logs.
    base_url: str | None = None
    secure_cookies: bool = False
    proxy_headers: bool = False  # trust X-Forwarded-For/-Proto from forwarded_allow_ips (a reverse proxy)
    forwarded_allow_ips: str = "127.0.0.1"  # comma-separated addresses of the proxies, or *
    root_path: str = Field("", pattern=r"^(/[^/\s]+)*$")  # the path the proxy serves Lantern under: /lantern
    retention_days: int = Field(180, ge=1)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Single sign-on with OpenID Connect (Entra ID, Keycloak, Okta): off while oidc_issuer is unset.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    oidc_username_claim: str = "preferred_username"
    oidc_role_claim: str = "roles"
    oidc_role_map: dict[str, str] = Field(default_factory=dict)  # claim value -> Lantern role
    oidc_agency_claim: str | None = None  # the claim naming the user's agency; None: oidc_agency
    oidc_agency: str | None = None  # the agency of every SSO user when no claim names one
    oidc_button: str = "Sign in with your agency account"

    @property
    def images_dir(self) -> Path:
        """Content-addressed image store: ``images/ab/cd/<sha256>``."""
        return self.data_dir / "images"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("image_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in value.split(os.pathsep) if part]
        return (
            tuple(Path(p).expanduser().resolve() for p in value) if isinstance(value, list | tuple) else value
        )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value:
            from lantern.store.urls import check_url

            check_url(value)
        return value

    @field_validator("base_url", "oidc_issuer")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("should be an http(s):// address such as https://lantern.example.org")
        return value.rstrip("/") if value else value

    @field_validator("oidc_role_map")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        from lantern.security.roles import check_role

        for role in value.values():
            check_role(role)
        return value

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'lantern.db'}")
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("oidc_client_id is required when oidc_issuer is set")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, ConfigFileSource(settings_cls)


class ConfigFileSource(PydanticBaseSettingsSource):
    """The ``[lantern]`` table of the TOML file ``LANTERN_CONFIG`` names (nothing when it is unset)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        name = os.environ.get(CONFIG_ENV)
        self.path = Path(name).expanduser() if name else None
        self.values = read_config_file(self.path) if self.path else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def read_config_file(path: Path) -> dict[str, Any]:
    """The ``[lantern]`` table of ``path``; ConfigError for a missing file, bad TOML or an unknown key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{CONFIG_ENV}={path}: no such file") from None
    except OSError as error:
        raise ConfigError(f"{CONFIG_ENV}={path}: cannot read it ({error.strerror})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    for key in document:
        if key != "lantern":
            raise ConfigError(
                f"{path}:{_line_of(text, key)}: unknown table or key {key!r}; settings go under [lantern]"
            )
    table = document.get("lantern", {})
    for key in table:
        if key not in Settings.model_fields:
            near = difflib.get_close_matches(key, list(Settings.model_fields), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ConfigError(f"{path}:{_line_of(text, key)}: unknown setting {key!r}{hint}")
    return table


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*(\[\s*)?{re.escape(key)}\s*[=\]]")
    return next((number for number, line in enumerate(text.splitlines(), 1) if pattern.match(line)), 1)


def load_settings(data_dir: str | Path | None = None, database_url: str | None = None) -> Settings:
    """Resolve and validate settings: explicit arguments, then ``LANTERN_*`` variables, then the file."""
    explicit = {k: v for k, v in (("data_dir", data_dir), ("database_url", database_url)) if v}
    try:
        return Settings(**explicit)
    except ValidationError as error:
        raise ConfigError(_describe(error, explicit)) from None
    except SettingsError as error:  # a variable that should hold JSON (a map) does not
        found = re.search(r'field "(\w+)"', str(error))
        name = ENV_PREFIX + found.group(1).upper() if found else "settings"
        raise ConfigError(
            f'{name}: should be a JSON object such as {{"Investigators": "investigator"}}'
        ) from None


def with_overrides(settings: Settings, **values: Any) -> Settings:
    """``settings`` with the command-line options that were given (None: not given), validated."""
    chosen = {name: value for name, value in values.items() if value is not None}
    if not chosen:
        return settings
    try:
        return Settings.model_validate({**settings.model_dump(), **chosen})
    except ValidationError as error:
        raise ConfigError(_describe(error, chosen)) from None


def _describe(error: ValidationError, explicit: dict[str, Any]) -> str:
    """The first problem of ``error`` as one line naming the argument, variable or file line it came from."""
    problem = error.errors()[0]
    field = str(problem["loc"][0]) if problem["loc"] else ""
    message = problem["msg"].removeprefix("Value error, ")
    if not field:
        return f"settings: {message}"
    got = problem.get("input")
    if field == "database_url" and isinstance(got, str):
        from lantern.store.urls import masked_url

        got = masked_url(got)
    shown = "" if field in SECRET_FIELDS or isinstance(got, dict) else f" (got {got!r})"
    variable = ENV_PREFIX + field.upper()
    if field in explicit and os.environ.get(variable) != str(explicit[field]):
        where = "--" + field.replace("_", "-")
    elif variable in os.environ:
        where = variable
    elif os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV]).expanduser()
        where = f"{path}:{_line_of(path.read_text(encoding='utf-8'), field)}: {field}"
    else:
        where = field
    if problem["type"] == "extra_forbidden":
        return f"{where}: unknown setting"
    return f"{where}: {message}{shown}"


def shown_settings(settings: Settings) -> dict[str, Any]:
    """Every effective setting as ``lantern config show`` prints it: secrets masked, paths as text."""
    from lantern.store.urls import masked_url

    shown: dict[str, Any] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name in SECRET_FIELDS and value:
            value = "********"
        elif name == "database_url":
            value = masked_url(value)
        elif isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        shown[name] = value
    return shown
