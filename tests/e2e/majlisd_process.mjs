// A majlisd child process for a test that must stop, freeze or restart the server itself: its
// own free port and temporary folder, started again with the same command line.

import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Whether `majlisd --help` lists an option (e.g. '--data-dir' once the durable store lands).
export function majlisdHasOption(binary, option) {
  const help = execFileSync(binary, ['--help'], { encoding: 'utf8' });
  return new RegExp(`(^|[\\s,])${option}\\b`).test(help);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class MajlisdProcess {
  constructor({ binary, args, logPath }) {
    this.binary = binary;
    this.args = args;
    this.log = createWriteStream(logPath, { flags: 'a' });
    this.child = null;
    this.exited = null;
  }

  get url() {
    return `http://${this.args[this.args.indexOf('--listen') + 1]}`;
  }

  // Starts the process and waits until /healthz answers.
  async start() {
    const child = spawn(this.binary, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`majlisd exited early (${child.exitCode ?? child.signalCode}); see ${this.log.path}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    throw new Error(`majlisd did not answer /healthz; see ${this.log.path}`);
  }

  // Sends signal and waits for the process to end; SIGKILL after timeoutMs.
  async stop(signal = 'SIGTERM', timeoutMs = 10000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.exited;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  // SIGSTOP / SIGCONT: the process keeps its sockets open but answers nothing.
  freeze() { this.child.kill('SIGSTOP'); }
  thaw() { this.child.kill('SIGCONT'); }

  async close() {
    if (this.child) {
      try { this.child.kill('SIGCONT'); } catch { /* gone */ }
      await this.stop('SIGTERM');
    }
    this.log.end();
  }
}

// Starts majlisd with its log in `work`; when the test ends it is closed and `work` removed
// (kept when the run has failed, to read the log).
export async function startMajlisd(t, { binary, args, work }) {
  const server = new MajlisdProcess({ binary, args, logPath: path.join(work, 'majlisd.log') });
  t.after(async () => {
    await server.close();
    if (!process.exitCode) rmSync(work, { recursive: true, force: true });
  });
  await server.start();
  return server;
}
