# Multi-stage: build a static binary (pure-Go SQLite, no cgo), ship it alone.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/earshot . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/earshot /earshot
# The database lives in /data; nonroot (65532) must own it to write there.
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
WORKDIR /data
ENV EARSHOT_DATABASE_URL=/data/earshot.db \
    EARSHOT_HTTP_ADDR=0.0.0.0:8080 \
    EARSHOT_SAMPLE=false
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/earshot"]
