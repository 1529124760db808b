# One image for both roles: `node dist/api/server.js` or `node dist/worker/index.js`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# nginx: the panel's host worker writes vhosts and reloads it on the machine it runs on;
# mariadb-client: mariadb-dump and mariadb for backups and restores of panel databases.
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light mariadb-client ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
