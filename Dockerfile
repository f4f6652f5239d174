# Siaran: one image for the API and the workers; the command picks the role.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The sources must be present before `npm ci`, whose prepare step runs `npm run build`: the server compiled,
# the browser's scripts and style bundled and compressed into dist/web-assets.
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY shared ./shared
COPY services ./services
COPY workers ./workers
COPY bin ./bin
# `npm install` where `npm ci` refuses a lock file that lacks other platforms' optional binaries.
RUN (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/package.json ./package.json
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/services/main.js"]
