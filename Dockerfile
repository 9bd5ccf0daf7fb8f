# The PhishX image: gateway, workers, beat and the NLP service all run from it.
FROM python:3.11.9-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PHISHX_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md celeryconfig.py ./
COPY pipeline ./pipeline
COPY tasks ./tasks
COPY api ./api
RUN pip install . \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin phishx \
    && mkdir -p /data \
    && chown phishx /data

USER phishx
EXPOSE 8000 9200
ENTRYPOINT ["phishx"]
CMD ["api", "--host", "0.0.0.0"]
