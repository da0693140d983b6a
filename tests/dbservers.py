"""Real PostgreSQL and MariaDB servers for the pull tests and benchmarks/pull.py.

Each server lives in a fresh temporary directory (data, socket, log) and listens on a free
127.0.0.1 port, so every pytest-xdist worker can start its own. The login user `andon`
authenticates with a password over TCP (PostgreSQL scram-sha-256, MariaDB
mysql_native_password); the superuser (`postgres`, MariaDB `root`) connects over the
server's Unix socket only, for setup. Settings favour a quick start over durability
(fsync off, small buffers, no binary log).

    with PostgresServer() as pg:
        pg.execute("create table t (x int)")
        pg.url()            # postgresql://andon:…@127.0.0.1:PORT/factory
        pg.restart()        # the data survives

Servers refuse to run as root: when this process is root they run as the `postgres` /
`mysql` system users the Debian packages create (system-packages.txt). `unavailable()`
says why a server cannot start here (a missing binary names its Debian package).
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1


class ServerError(RuntimeError):
    """A test database server could not be set up, started or stopped."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text[-lines:]) or f"(empty log {path})"


def _libc_prctl():  # noqa: ANN202 - a ctypes function
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()  # loaded before any fork: the child only calls it


class _Server:
    """What both servers share: temp dir, system user, process, waits, cleanup."""

    kind = ""  # the sources.yaml kind
    scheme = ""
    system_user = ""  # the unprivileged account the server runs as when we are root
    package = ""
    stop_signal = signal.SIGTERM

    def __init__(
        self,
        *,
        database: str = "factory",
        user: str = "andon",
        password: str | None = None,
        port: int | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or 0
        self.database = database
        self.user = user
        self.password = password or f"pw-{secrets.token_hex(8)}"
        self.settings = dict(settings or {})
        self.dir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._initialized = False
        self._fixed_port = port is not None
        self.start_seconds = 0.0

    # -- what a test uses -------------------------------------------------------------

    def url(self, database: str | None = None) -> str:
        """The ConnectorX / SQLAlchemy-style URL with the password in it."""
        return (
            f"{self.scheme}://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(database or self.database, safe='')}"
        )

    def connection(self, database: str | None = None) -> dict[str, Any]:
        """The sources.yaml `connection` block for this server (password from `password_env`)."""
        return {
            "host": self.host,
            "port": self.port,
            "database": database or self.database,
            "user": self.user,
        }

    def execute(self, sql: str, params: Any = None, *, database: str | None = None) -> list:
        """Run one statement as the login user (autocommit); the rows it returned, if any."""
        con = self.connect(database=database, autocommit=True)
        try:
            cur = con.cursor()
            cur.execute(sql, params)
            rows = list(cur.fetchall()) if cur.description else []
            cur.close()
            return rows
        finally:
            con.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def log_file(self) -> Path:
        assert self.dir is not None
        return self.dir / "server.log"

    def log_tail(self, lines: int = 25) -> str:
        return _tail(self.log_file, lines) if self.dir else "(not started)"

    # -- lifecycle ----------------------------------------------------------------------

    @classmethod
    def unavailable(cls) -> str | None:
        """Why this server cannot run on this machine, or None when it can."""
        missing = [name for name, path in cls._binaries().items() if path is None]
        if missing:
            return (
                f"{cls.kind} test server: {', '.join(missing)} not found; install the Debian "
                f"package {cls.package} (listed in system-packages.txt; ./dev installs it)"
            )
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(cls.system_user)
            except KeyError:
                return (
                    f"{cls.kind} test server: running as root but the system user "
                    f"{cls.system_user!r} the server must run as does not exist; install "
                    f"the Debian package {cls.package}"
                )
        return None

    @classmethod
    def available(cls) -> bool:
        return cls.unavailable() is None

    @classmethod
    def _binaries(cls) -> dict[str, str | None]:
        raise NotImplementedError

    def start(self) -> _Server:
        """Create (first time) and start the server; return once it accepts connections."""
        if self.running:
            return self
        reason = self.unavailable()
        if reason:
            raise ServerError(reason)
        started = time.perf_counter()
        if self.dir is None:
            self.dir = Path(tempfile.mkdtemp(prefix=f"andon-{self.kind}-", dir="/tmp"))
            self.dir.chmod(0o700)
            self._chown(self.dir)
        if not self._initialized:
            self._init_data()
        for attempt in range(3):
            if not self.port:
                self.port = free_port()
            self._launch()
            try:
                self._wait_ready()
                break
            except ServerError:
                in_use = "already in use" in self.log_tail(60).lower()
                self._kill()
                if in_use and not (self._fixed_port or self._initialized) and attempt < 2:
                    self.port = 0  # another process took the port: pick a new one
                    continue
                raise
        if not self._initialized:
            self._create_database_and_user()
            self._initialized = True
        self.start_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        """Shut down fast (open sessions are cut) and wait until the process has exited."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(self.stop_signal)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT_S)
        self.process = None
        self._close_log()

    def restart(self) -> _Server:
        """Stop and start again on the same port; the data is kept."""
        self.stop()
        self.start()
        return self

    def close(self) -> None:
        """Stop the server and remove its directory (data, socket, log)."""
        try:
            self.stop()
        finally:
            if self.dir is not None:
                shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
            self._initialized = False

    def __enter__(self) -> _Server:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.host}:{self.port}/{self.database} {state}>"

    # -- helpers for the subclasses -----------------------------------------------------

    def _as_user(self) -> dict[str, Any]:
        """Popen arguments that run the child as the server's system user when we are root."""
        if os.geteuid() != 0:
            return {}
        entry = pwd.getpwnam(self.system_user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.system_user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
        }
        if os.geteuid() == 0:
            entry = pwd.getpwnam(self.system_user)
            env.update(HOME=str(self.dir), USER=entry.pw_name, LOGNAME=entry.pw_name)
        else:
            env["HOME"] = os.environ.get("HOME", str(self.dir))
        return env

    def _run(self, args: list[str], what: str, timeout: float = 120.0) -> None:
        """A setup command (initdb, mariadb-install-db) as the server's user; fail loudly."""
        log = self.dir / f"{Path(args[0]).name}.log"  # type: ignore[operator]
        with open(log, "wb") as out:
            result = subprocess.run(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
                env=self._env(),
                timeout=timeout,
                check=False,
                **self._as_user(),
            )
        if result.returncode != 0:
            raise ServerError(
                f"{self.kind} test server: {what} failed (exit {result.returncode}):\n"
                f"{' '.join(args)}\n{_tail(log)}"
            )

    def _launch(self) -> None:
        self._close_log()
        self._log = open(self.log_file, "ab")  # noqa: SIM115 - kept open while it runs
        signum = int(self.stop_signal)

        def die_with_parent() -> None:  # the server stops when the test process dies
            if _PRCTL is not None:
                _PRCTL(_PR_SET_PDEATHSIG, signum)

        self.process = subprocess.Popen(
            self._server_args(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.dir,
            env=self._env(),
            start_new_session=True,  # Ctrl-C in the terminal reaches the tests, not the server
            preexec_fn=die_with_parent,  # noqa: PLW1509 - single-threaded test/bench setup
            **self._as_user(),
        )

    def _close_log(self) -> None:
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
            self._log = None

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_S)
        self.process = None
        self._close_log()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise ServerError(
                    f"{self.kind} test server exited during start-up (exit {code}) on port "
                    f"{self.port}; log {self.log_file}:\n{self.log_tail()}"
                )
            try:
                self._admin_connect().close()
                return
            except Exception as error:  # noqa: BLE001 - not up yet: try again
                last = error
                time.sleep(0.05)
        raise ServerError(
            f"{self.kind} test server did not accept connections within {START_TIMEOUT_S:.0f}s"
            f" on port {self.port} (last error: {last}); log {self.log_file}:\n{self.log_tail()}"
        )

    def _admin_connect(self, database: str | None = None, autocommit: bool = True):  # noqa: ANN202
        raise NotImplementedError

    def _init_data(self) -> None:
        raise NotImplementedError

    def _server_args(self) -> list[str]:
        raise NotImplementedError

    def _create_database_and_user(self) -> None:
        raise NotImplementedError

    def connect(self, database: str | None = None, autocommit: bool = False):  # noqa: ANN201
        raise NotImplementedError


class PostgresServer(_Server):
    """A throw-away PostgreSQL cluster (initdb) on 127.0.0.1:<free port>.

    `connect()` gives a psycopg 3 connection as the login user over TCP (password auth);
    `admin()` one as the `postgres` superuser over the Unix socket.
    """

    kind = "postgresql"
    scheme = "postgresql"
    system_user = "postgres"
    package = "postgresql-15"
    stop_signal = signal.SIGINT  # PostgreSQL's "fast" shutdown

    @classmethod
    def _binaries(cls) -> dict[str, str | None]:
        bindir = cls.bindir()
        return {
            name: (str(bindir / name) if bindir and (bindir / name).exists() else None)
            for name in ("initdb", "postgres")
        }

    @staticmethod
    def bindir() -> Path | None:
        """$ANDON_TEST_PG_BINDIR, else the newest /usr/lib/postgresql/<v>/bin, else PATH."""
        if os.environ.get("ANDON_TEST_PG_BINDIR"):
            return Path(os.environ["ANDON_TEST_PG_BINDIR"])
        versions = sorted(
            glob.glob("/usr/lib/postgresql/*/bin/postgres"),
            key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
        )
        if versions:
            return Path(versions[-1]).parent
        found = shutil.which("postgres")
        return Path(found).parent if found else None

    @property
    def data_dir(self) -> Path:
        assert self.dir is not None
        return self.dir / "data"

    def _init_data(self) -> None:
        bindir = self.bindir()
        assert bindir is not None
        if (self.data_dir / "PG_VERSION").exists():
            return
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "--no-instructions",
            ],
            "initdb",
        )
        (self.data_dir / "pg_hba.conf").write_text(
            "# Andon test server: superuser over the socket, everyone else by password.\n"
            "local all all trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )

    def _server_args(self) -> list[str]:
        bindir = self.bindir()
        assert bindir is not None and self.dir is not None
        settings: dict[str, Any] = {
            "listen_addresses": "127.0.0.1",
            "port": self.port,
            "unix_socket_directories": str(self.dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "32MB",
            "max_connections": 40,
            "max_wal_size": "1GB",
            "TimeZone": "UTC",
            "log_timezone": "UTC",
            "password_encryption": "scram-sha-256",
            "logging_collector": "off",
            "log_min_messages": "warning",
            **self.settings,
        }
        args = [str(bindir / "postgres"), "-D", str(self.data_dir)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        return args

    def _admin_connect(self, database: str | None = None, autocommit: bool = True):  # noqa: ANN202
        import psycopg

        return psycopg.connect(
            host=str(self.dir),
            port=self.port,
            user="postgres",
            dbname=database or "postgres",
            autocommit=autocommit,
            connect_timeout=5,
        )

    def admin(self, database: str | None = None, autocommit: bool = True):  # noqa: ANN201
        """A superuser connection over the Unix socket (setup only)."""
        return self._admin_connect(database, autocommit)

    def connect(self, database: str | None = None, autocommit: bool = False):  # noqa: ANN201
        """A psycopg 3 connection as the login user, over TCP with the password."""
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database or self.database,
            autocommit=autocommit,
            connect_timeout=5,
        )

    def _create_database_and_user(self) -> None:
        from psycopg import sql

        with self._admin_connect() as con:
            con.execute(
                sql.SQL("create role {} login password {}").format(
                    sql.Identifier(self.user), sql.Literal(self.password)
                )
            )
        self.create_database(self.database)

    def create_database(self, name: str) -> str:
        """A new database owned by the login user."""
        from psycopg import sql

        with self._admin_connect() as con:
            con.execute(
                sql.SQL("create database {} owner {}").format(
                    sql.Identifier(name), sql.Identifier(self.user)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self._admin_connect() as con:
            con.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )

    def add_reader(self, user: str, password: str, database: str | None = None) -> None:
        """A login that may only read (every schema of `database`, present and future)."""
        from psycopg import sql

        database = database or self.database
        with self._admin_connect() as con:
            con.execute(
                sql.SQL("create role {} login password {}").format(
                    sql.Identifier(user), sql.Literal(password)
                )
            )
            con.execute(sql.SQL("grant pg_read_all_data to {}").format(sql.Identifier(user)))
            con.execute(
                sql.SQL("grant connect on database {} to {}").format(
                    sql.Identifier(database), sql.Identifier(user)
                )
            )


class MariaDBServer(_Server):
    """A throw-away MariaDB server (mariadb-install-db) on 127.0.0.1:<free port>.

    `connect()` gives a PyMySQL connection as the login user over TCP (password auth,
    LOCAL INFILE allowed); `admin()` one as `root` over the Unix socket. `files_dir` is the
    server's `--secure-file-priv` directory (SELECT … INTO OUTFILE writes there).
    """

    kind = "mariadb"
    scheme = "mysql"
    system_user = "mysql"
    package = "mariadb-server"
    stop_signal = signal.SIGTERM

    @classmethod
    def _binaries(cls) -> dict[str, str | None]:
        def find(*names: str) -> str | None:
            for name in names:
                found = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/usr/bin")
                if found:
                    return found
            return None

        return {
            "mariadbd": find("mariadbd", "mysqld"),
            "mariadb-install-db": find("mariadb-install-db", "mysql_install_db"),
        }

    @property
    def data_dir(self) -> Path:
        assert self.dir is not None
        return self.dir / "data"

    @property
    def socket(self) -> Path:
        assert self.dir is not None
        return self.dir / "mysqld.sock"

    @property
    def files_dir(self) -> Path:
        assert self.dir is not None
        return self.dir / "files"

    def _user_args(self) -> list[str]:
        return [f"--user={self.system_user}"] if os.geteuid() == 0 else []

    def _init_data(self) -> None:
        assert self.dir is not None
        for sub in ("files", "tmp"):
            (self.dir / sub).mkdir(exist_ok=True)
            self._chown(self.dir / sub)
        if (self.data_dir / "mysql").exists():
            return
        self._run(
            [
                self._binaries()["mariadb-install-db"],  # type: ignore[list-item]
                "--no-defaults",
                f"--datadir={self.data_dir}",
                *self._user_args(),
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=16M",
                "--innodb-flush-log-at-trx-commit=0",
                f"--tmpdir={self.dir / 'tmp'}",
            ],
            "mariadb-install-db",
        )

    def _server_args(self) -> list[str]:
        assert self.dir is not None
        settings: dict[str, Any] = {
            "datadir": self.data_dir,
            "port": self.port,
            "bind-address": "127.0.0.1",
            "socket": self.socket,
            "pid-file": self.dir / "mysqld.pid",
            "tmpdir": self.dir / "tmp",
            "secure-file-priv": self.files_dir,
            "local-infile": 1,
            "innodb-flush-log-at-trx-commit": 0,
            "innodb-buffer-pool-size": "64M",
            "innodb-log-file-size": "16M",
            "innodb-doublewrite": 0,
            "performance-schema": "OFF",
            "max-connections": 40,
            "character-set-server": "utf8mb4",
            "collation-server": "utf8mb4_unicode_ci",
            "default-time-zone": "+00:00",
            **self.settings,
        }
        args = [
            self._binaries()["mariadbd"],
            "--no-defaults",
            *self._user_args(),
            "--skip-log-bin",
            "--skip-name-resolve",
        ]
        return [*args, *(f"--{key}={value}" for key, value in settings.items())]  # type: ignore[list-item]

    def _admin_connect(self, database: str | None = None, autocommit: bool = True):  # noqa: ANN202
        import pymysql

        return pymysql.connect(
            unix_socket=str(self.socket),
            user="root",
            database=database,
            autocommit=autocommit,
            charset="utf8mb4",
            connect_timeout=5,
            local_infile=True,
        )

    def admin(self, database: str | None = None, autocommit: bool = True):  # noqa: ANN201
        """A root connection over the Unix socket (setup only)."""
        return self._admin_connect(database, autocommit)

    def connect(self, database: str | None = None, autocommit: bool = False):  # noqa: ANN201
        """A PyMySQL connection as the login user over TCP with the password."""
        import pymysql

        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=database or self.database,
            autocommit=autocommit,
            charset="utf8mb4",
            connect_timeout=5,
            local_infile=True,
        )

    def _create_database_and_user(self) -> None:
        con = self._admin_connect()
        try:
            with con.cursor() as cur:
                for host in ("127.0.0.1", "localhost"):
                    cur.execute(
                        f"create user '{self.user}'@'{host}' identified via "
                        "mysql_native_password using password(%s)",
                        (self.password,),
                    )
                    # Every database: tests create one per system (erp, wms) and the
                    # benchmark's SELECT … INTO OUTFILE needs the global FILE privilege.
                    cur.execute(f"grant all privileges on *.* to '{self.user}'@'{host}'")
        finally:
            con.close()
        self.create_database(self.database)

    def create_database(self, name: str) -> str:
        """A new utf8mb4 database (the login user may use every database)."""
        self._admin_sql(f"create database `{name}` character set utf8mb4")
        return name

    def drop_database(self, name: str) -> None:
        self._admin_sql(f"drop database if exists `{name}`")

    def add_reader(self, user: str, password: str, database: str | None = None) -> None:
        """A login (127.0.0.1 and localhost) that may only SELECT in `database`."""
        database = database or self.database
        for host in ("127.0.0.1", "localhost"):
            self._admin_sql(
                f"create user '{user}'@'{host}' identified via mysql_native_password "
                "using password(%s)",
                (password,),
            )
            self._admin_sql(f"grant select on `{database}`.* to '{user}'@'{host}'")

    def _admin_sql(self, sql: str, params: Any = None) -> None:
        con = self._admin_connect()
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
        finally:
            con.close()


SERVERS: dict[str, type[_Server]] = {"postgresql": PostgresServer, "mariadb": MariaDBServer}


@contextlib.contextmanager
def running(kind: str, **options: Any):  # noqa: ANN201 - Iterator[_Server]
    """`with running("postgresql") as server:` — start a server of a kind, close it after."""
    server = SERVERS[kind](**options)
    with server:
        yield server
