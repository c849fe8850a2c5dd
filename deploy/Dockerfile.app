# App image: the action server and the gateway (same code, different command), knowledge base built in.
FROM python:3.10.13-slim
RUN useradd --create-home --uid 1001 app
WORKDIR /app
COPY requirements/app.lock requirements/app.lock
RUN pip install --no-cache-dir --no-deps -r requirements/app.lock
COPY bot bot
COPY actions actions
COPY seeds seeds
COPY data data
USER app
# The knowledge base is rebuilt from the seeds into DATABASE_URL by an init step (`python -m bot.kb build`).
EXPOSE 5055 8000
CMD ["python", "-m", "bot.gateway"]
