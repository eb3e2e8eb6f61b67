# Lantern's server image: runtime dependencies only (requirements-runtime.lock, hash-checked), run as an
# unprivileged user, data in the /data volume. docs/deploy.md shows it in a compose file with PostgreSQL.
#   docker build -t lantern .
FROM python:3.11-slim-bookworm

# pg_dump/pg_restore for `lantern backup` of a PostgreSQL store; nothing else from the distribution.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 lantern \
 && useradd --system --uid 10001 --gid lantern --home-dir /data --shell /usr/sbin/nologin lantern \
 && install -d -o lantern -g lantern -m 0700 /data

WORKDIR /opt/lantern
COPY requirements-runtime.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements-runtime.lock
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install --no-cache-dir --no-deps . && rm -rf src

ENV LANTERN_DATA_DIR=/data \
    LANTERN_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
USER lantern
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["lantern"]
# Behind the compose file's (or your) reverse proxy: listen on all interfaces of the container, trust the
# proxy's X-Forwarded-* headers. Set LANTERN_FORWARDED_ALLOW_IPS to the proxy's address.
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
