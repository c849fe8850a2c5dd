# App image: the action server and the gateway (same code, different command), knowledge base built in.
# Runs as an unprivileged numeric user (10001) with a read-only root filesystem in Kubernetes (deploy/k8s).
# Base: Debian 12 and Debian's own python3.11, which gets security fixes from Debian's security archive (the
# python:3.x images build CPython themselves, and their 3.10 line is past its end of life). The same interpreter
# as the tested app env (scripts/python-for.sh); `docker run --rm IMAGE python -c 'import sys; print(sys.version)'`.
FROM debian:bookworm-slim
# Not pinned on purpose: every rebuild takes Debian's current security release of python3.11.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3.11-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --user-group app \
 && python3.11 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-cache-dir --no-deps -r requirements/app.lock
COPY bot bot
COPY actions actions
COPY seeds seeds
COPY data data
USER 10001:10001
ENV HOME=/tmp PYTHONDONTWRITEBYTECODE=1
# The knowledge base is rebuilt from the seeds into DATABASE_URL by an init step (`python -m bot.kb build`).
# The action server: python -m bot.action_server --actions actions --port 5055 (needs ACTION_SERVER_TOKEN).
EXPOSE 5055 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["python", "-m", "bot.gateway"]
