#!/usr/bin/env node
// The admin CLI; built by `npm install` (prepare) or `npm run build`.
require('../dist/services/cli/siaran.js');
