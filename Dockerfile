# Build a static binary, then run it as a non-root user on a minimal image.
# The Go of go.mod's toolchain line (govulncheck finds its standard library clean).
FROM golang:1.26.10 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X gongkai/internal/app.Version=${VERSION}" -o /out/gongkai ./cmd/gongkai

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gongkai /gongkai
USER nonroot:nonroot
ENV GONGKAI_ADDR=:8080 GONGKAI_DATA_DIR=/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s CMD ["/gongkai", "healthcheck"]
ENTRYPOINT ["/gongkai"]
CMD ["serve"]
