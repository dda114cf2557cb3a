# A stand-in node for the SSH flow: sshd plus iptables holding the demo node's rules.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends openssh-server iptables iproute2 nftables ipset \
 && rm -rf /var/lib/apt/lists/* && mkdir -p /run/sshd
COPY apps/server/demo /demo
COPY docker/demo-node-entrypoint.sh /entrypoint.sh
RUN chmod +x /entrypoint.sh
EXPOSE 22
ENTRYPOINT ["/entrypoint.sh"]
