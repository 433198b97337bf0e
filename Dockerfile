# One image for every role; CALLMASK_ROLE picks ingest or processor.
# Node 20 on Debian bookworm: the uWebSockets.js build in package.json needs glibc <= 2.36.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The lock file lists every platform's optional binaries, so npm ci installs exactly it.
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV CALLMASK_INGEST_HOST=0.0.0.0 NODE_ENV=production
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "bin/callmask.ts"]
