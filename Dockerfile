FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir .
ENV ROR_DATA_DIR=/app/data
EXPOSE 8000
CMD ["ror", "demo"]
