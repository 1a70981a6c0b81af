# The faultbench image for distributed runs on Kubernetes (`faultbench k8s render`): the same
# image runs the load workers (`worker`) and the coordinator (`run … --workers`).
FROM node:20-bookworm-slim
WORKDIR /opt/faultbench
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY engines ./engines
COPY harness ./harness
COPY lib ./lib
COPY reports ./reports
COPY scenarios ./scenarios
COPY tsconfig.json ./
USER node
ENTRYPOINT ["node", "/opt/faultbench/bin/faultbench.js"]
