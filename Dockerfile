# One image for every service; the command picks the service: `python -m services.<name> run`.
# The base is an argument so that machines that cannot pull build on a local stand-in (deploy/local-images).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY shared ./shared
COPY services ./services
COPY deploy/reference ./deploy/reference
COPY ops ./ops

FROM ${PYTHON_IMAGE}
# Named volumes take the ownership of the directories they are mounted on: make ours writable by the service.
RUN groupadd --system --gid 10001 grassroots \
 && useradd --system --uid 10001 --gid grassroots --home-dir /app --no-create-home grassroots \
 && mkdir -p /var/lib/grassroots/photos /definitions \
 && chown -R grassroots:grassroots /var/lib/grassroots /definitions
WORKDIR /app
COPY --from=build --chown=grassroots:grassroots /app /app
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 LOG_FORMAT=json
USER grassroots
CMD ["python", "-m", "services", "--help"]
