// Suites that spawn the built apps (restart, audit, projections) need dist/. Building once here,
// before any worker starts, keeps parallel workers from deleting dist/ under each other.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
};
