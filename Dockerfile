# syntax=docker/dockerfile:1
#
# ogsync in a container: a static binary on Alpine, which brings what the git
# pull needs (git, CA certificates, an SSH client). Runs as a non-root user.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t ogsync .
#   docker run -d --name ogsync -p 127.0.0.1:9187:9187 \
#     -v /etc/ogsync/ogsync.yaml:/etc/ogsync/ogsync.yaml:ro \
#     -v /etc/ogsync/opsgenie-api-key:/run/secrets/opsgenie-api-key:ro \
#     -v ogsync-state:/var/lib/ogsync \
#     ogsync run --config /etc/ogsync/ogsync.yaml --apply
#
# The default command is a dry run; add --apply to write. Keep
# /var/lib/ogsync (lock, reports, the git checkout) on a volume. The API key
# is a file (a Docker or Kubernetes secret, readable by uid 10001) named by
# opsgenie.api_key_file (here /run/secrets/opsgenie-api-key), or the
# environment variable OPSGENIE_API_KEY.
#
# No HEALTHCHECK: the port depends on the configuration's listen (which must
# be 0.0.0.0:PORT in a container to be scraped). With listen: 0.0.0.0:9187:
#   docker run --health-cmd 'wget -q -O /dev/null http://127.0.0.1:9187/healthz' ...

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# timetzdata embeds the zone database, so time_zone works without tzdata.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata \
      -ldflags "-s -w -X main.version=${VERSION}" -o /out/ogsync .

FROM alpine:3.22
RUN apk add --no-cache git ca-certificates openssh-client \
 && addgroup -S -g 10001 ogsync \
 && adduser -S -D -H -u 10001 -G ogsync -h /var/lib/ogsync -s /sbin/nologin ogsync \
 && install -d -o ogsync -g ogsync -m 0750 /var/lib/ogsync
COPY --from=build /out/ogsync /usr/local/bin/ogsync
USER 10001:10001
ENV HOME=/var/lib/ogsync
WORKDIR /var/lib/ogsync
VOLUME ["/var/lib/ogsync"]
EXPOSE 9187
ENTRYPOINT ["ogsync"]
CMD ["run", "--config", "/etc/ogsync/ogsync.yaml"]
