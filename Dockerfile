# The Switchboard engine. Build: docker build -t switchboard .
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
# The locked runtime dependencies (hashes checked), then the package itself.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
COPY switchboard switchboard
RUN pip install --no-cache-dir --no-deps . && useradd --system --uid 10001 switchboard \
    && mkdir -p /var/lib/switchboard && chown switchboard /var/lib/switchboard
USER switchboard
EXPOSE 8080
ENTRYPOINT ["switchboard"]
CMD ["run", "--config", "/etc/switchboard/switchboard.yaml"]
