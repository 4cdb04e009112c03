#!/bin/sh
# What every agent image needs, in one place: docker/Dockerfile.agent runs it on node:20-bookworm, and the tests run it
# in a Debian root filesystem made with debootstrap (no image registry), so the two images cannot drift apart.
# Runs as root on Debian bookworm. Inputs (environment):
#   AGENT_UID, AGENT_GID      the agent user's ids (default 1000; `ralph-tui image build` passes the workspace owner's)
#   CLAUDE_CODE_VERSION       the @anthropic-ai/claude-code version npm installs (default latest)
#   CLAUDE_BINARY             install this claude executable instead of using npm (offline builds)
#   NODE_BINARY               install this node executable (an image without Node, e.g. a debootstrap root)
#   PYTHON_TOOLS              1 (default): Python 3 with venv and pip, for experiments written in Python
#   INSTALL_UV                1 (default): uv from PyPI (0 where PyPI cannot be reached)
set -eu
AGENT_UID=${AGENT_UID:-1000}
AGENT_GID=${AGENT_GID:-1000}
export DEBIAN_FRONTEND=noninteractive

# dtach holds the agent's pty inside the container, so the agent outlives the supervisor's `docker exec` client.
packages="git ca-certificates curl procps less jq coreutils dtach"
if [ "${PYTHON_TOOLS:-1}" = 1 ]; then packages="$packages python3 python3-venv python3-pip"; fi
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $packages
rm -rf /var/lib/apt/lists/*
# uv from PyPI: no second registry needed, and it pins to the image's Python.
if [ "${PYTHON_TOOLS:-1}" = 1 ] && [ "${INSTALL_UV:-1}" = 1 ]; then pip install --no-cache-dir --break-system-packages uv; fi

if [ -n "${NODE_BINARY:-}" ]; then install -m 0755 "$NODE_BINARY" /usr/local/bin/node; fi
command -v node >/dev/null || { echo "agent-setup: no node in the image (set NODE_BINARY)" >&2; exit 1; }

# Claude Code: its npm package is a native executable; offline builds hand the same executable over directly.
if [ -n "${CLAUDE_BINARY:-}" ]; then
  install -m 0755 "$CLAUDE_BINARY" /usr/local/bin/claude
else
  npm install -g "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION:-latest}"
  npm cache clean --force
fi

# The node image's `node` user owns uid 1000; replace it so the agent user can take the caller's uid.
userdel -r node 2>/dev/null || true
getent group "$AGENT_GID" >/dev/null || groupadd -g "$AGENT_GID" agent
useradd -m -u "$AGENT_UID" -g "$AGENT_GID" -s /bin/bash -d /home/agent agent
# ~/.claude is the agent's Claude config folder (CLAUDE_CONFIG_DIR) and its credentials volume: owned by the agent
# so a new volume starts writable.
mkdir -p /workspace /home/agent/.claude /opt/ralph-tui
chown -R "$AGENT_UID:$AGENT_GID" /workspace /home/agent
