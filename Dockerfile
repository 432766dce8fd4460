# zhsearch as a container image. Nothing is built or pulled here: the image
# is FROM scratch and holds the static binary (built on the host with
# CGO_ENABLED=0 and -tags ne, without gse's unused dictionaries) and the
# bundled data folder. Build it with
#
#   scripts/docker-build            # go build + docker build -t zhsearch:local
#
# which first lays out build/: build/zhsearch and build/rootfs/ (the empty
# index volume folder owned by the unprivileged user, and /tmp).
FROM scratch
COPY --chown=65532:65532 build/rootfs/ /
COPY build/zhsearch /zhsearch
COPY data/ /data/
ENV ZHSEARCH_DATA=/data \
    ZHSEARCH_INDEX=/var/lib/zhsearch/index \
    ZHSEARCH_JOURNAL=/var/lib/zhsearch/journal/edits.log \
    ZHSEARCH_ADDR=:8080 \
    ZHSEARCH_LOG_FORMAT=json
USER 65532:65532
EXPOSE 8080
VOLUME ["/var/lib/zhsearch"]
# FROM scratch has no curl: the binary probes its own /readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 CMD ["/zhsearch", "healthcheck"]
ENTRYPOINT ["/zhsearch"]
CMD ["serve"]
