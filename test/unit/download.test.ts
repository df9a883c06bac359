// Release downloads against a real HTTP server on 127.0.0.1: pinned sha256, content-addressed
// cache (a second fetch never reaches the server), clear errors, LAB_OFFLINE.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchUrl, releaseFilesSource } from '../../lab/artifacts/providers/download.js';

const BODY = Buffer.from('#!/bin/sh\necho kubelet\n');
const SHA = createHash('sha256').update(BODY).digest('hex');
let server: Server;
let base = '';
let hits = 0;
let cache = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/v1/kubelet') res.end(BODY);
    else if (req.url === '/v1/broken') {
      // Promises more than it sends, then drops the connection half-way.
      res.writeHead(200, { 'content-length': String(BODY.length * 10) });
      res.write(BODY, () => res.destroy());
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'lab-download-'));
  hits = 0;
  delete process.env.LAB_OFFLINE;
});
afterEach(async () => {
  delete process.env.LAB_OFFLINE;
  await rm(cache, { recursive: true, force: true });
});

describe('fetchUrl', () => {
  it('downloads once, then serves the cache', async () => {
    const first = await fetchUrl({ url: `${base}/v1/kubelet`, sha256: SHA }, cache);
    const second = await fetchUrl({ url: `${base}/v1/kubelet`, sha256: SHA }, cache);
    expect(second).toBe(first);
    expect(await readFile(first)).toEqual(BODY);
    expect(hits).toBe(1);
  });

  it('names the file and both checksums on a mismatch, and keeps nothing', async () => {
    const wrong = '0'.repeat(64);
    await expect(fetchUrl({ url: `${base}/v1/kubelet`, sha256: wrong }, cache)).rejects.toThrow(
      new RegExp(`checksum mismatch for kubelet from .*: expected sha256 ${wrong}, got ${SHA}`),
    );
    await expect(fetchUrl({ url: `${base}/v1/kubelet`, sha256: wrong }, cache)).rejects.toThrow(/mismatch/);
    expect(hits).toBe(2);
  });

  it('a download cut off half-way leaves no .part file behind', async () => {
    await expect(fetchUrl({ url: `${base}/v1/broken`, sha256: SHA }, cache)).rejects.toThrow();
    const left = (await readdir(cache, { recursive: true })).map(String).filter((f) => f.includes('.part'));
    expect(left).toEqual([]);
  });

  it('says what HTTP answered', async () => {
    await expect(fetchUrl({ url: `${base}/v1/nothing`, sha256: SHA }, cache)).rejects.toThrow(/HTTP 404/);
  });

  it('refuses to download under LAB_OFFLINE=1', async () => {
    process.env.LAB_OFFLINE = '1';
    await expect(fetchUrl({ url: `${base}/v1/kubelet`, sha256: SHA }, cache)).rejects.toThrow(
      /LAB_OFFLINE=1/,
    );
    expect(hits).toBe(0);
  });
});

describe('releaseFilesSource', () => {
  it('is unusable while a file has no pinned sha256, and says which', () => {
    const source = releaseFilesSource({
      version: 'v1',
      files: {
        kubelet: { url: `${base}/v1/kubelet`, sha256: SHA },
        kubectl: { url: `${base}/v1/kubectl`, sha256: undefined },
      },
    });
    expect(source.unusable).toBe('no sha256 pinned for kubectl');
  });

  it('puts every file into the artifact, executable', async () => {
    process.env.LAB_CACHE = cache;
    const source = releaseFilesSource({
      version: 'v1',
      files: { kubelet: { url: `${base}/v1/kubelet`, sha256: SHA } },
    });
    const dir = await mkdtemp(join(tmpdir(), 'lab-release-'));
    try {
      await source.fill(dir, () => {});
      expect(await readFile(join(dir, 'kubelet'))).toEqual(BODY);
      expect((await stat(join(dir, 'kubelet'))).mode & 0o111).toBe(0o111);
    } finally {
      delete process.env.LAB_CACHE;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
