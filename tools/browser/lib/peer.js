// Starts the real `sealcheck peer` ($SEALCHECK, default target/release/sealcheck) on a free
// loopback port and reads the two machine-readable lines it prints first.
'use strict';

const path = require('path');
const readline = require('readline');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');

function startPeer(args = []) {
  const binary = process.env.SEALCHECK || path.join(ROOT, 'target', 'release', 'sealcheck');
  const child = spawn(binary, ['peer', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const got = [];
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`sealcheck peer exited with ${code} before it listened`)));
    lines.on('line', (line) => {
      got.push(line);
      if (got.length === 2) {
        const url = got[0].replace(/^listening on /, '');
        const token = got[1].replace(/^admin token: /, '');
        if (!url.startsWith('http://127.0.0.1:')) reject(new Error(`unexpected first line ${got[0]}`));
        child.removeAllListeners('exit');
        resolve({ url, token, stop: () => child.kill() });
      }
    });
  });
}

module.exports = { startPeer, ROOT };
