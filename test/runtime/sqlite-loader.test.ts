import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainNativeModuleFailure, SUPPORTED_NODE, unsupportedNode } from '../../src/runtime/sqlite-loader.js';

/** The error better-sqlite3 itself throws when it cannot load its compiled part from `nativeBinding`. */
function loadFailure(nativeBinding: string): unknown {
  try {
    new Database(':memory:', { nativeBinding }).close();
  } catch (error) {
    return error;
  }
  throw new Error('the database opened');
}

describe('a better-sqlite3 that cannot load says how to fix it', () => {
  it('not built: the install skipped its script (npm 12 without allowScripts, or ignore-scripts)', () => {
    // the same lookup better-sqlite3 makes, in a package folder that has no build
    const bindings = createRequire(createRequire(import.meta.url).resolve('better-sqlite3'))('bindings') as (o: object) => unknown;
    const unbuilt = mkdtempSync(join(tmpdir(), 'unbuilt-'));
    writeFileSync(join(unbuilt, 'package.json'), '{}');
    let thrown: unknown;
    try {
      bindings({ bindings: 'better_sqlite3.node', module_root: unbuilt });
    } catch (error) {
      thrown = error;
    }
    const explained = explainNativeModuleFailure(thrown);
    expect(explained?.message).toContain('它没有编译');
    expect(explained?.message).toContain('allowScripts');
    expect(explained?.message).toContain('npm rebuild better-sqlite3');
    expect(explained?.cause).toBe(thrown);
  });

  it('not a loadable library', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'broken-')), 'better_sqlite3.node');
    writeFileSync(broken, 'not a shared library');
    const explained = explainNativeModuleFailure(loadFailure(broken));
    expect(explained?.message).toMatch(/^无法加载 better-sqlite3 的本地模块：加载失败：.*better_sqlite3\.node/);
    expect(explained?.message).toContain('npm rebuild better-sqlite3');
  });

  it('built for another Node.js (after upgrading Node without reinstalling)', () => {
    // Node's own words (seen when Node 22 loads a build made for Node 20); making them needs two Nodes
    const otherNode = Object.assign(
      new Error(
        "The module '/srv/duban/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
    expect(explainNativeModuleFailure(otherNode)?.message).toContain(`它是为另一个 Node.js 版本编译的，当前是 ${process.version}`);
  });

  it('leaves every other error alone', () => {
    expect(explainNativeModuleFailure(new Error('SQLITE_CANTOPEN: unable to open database file'))).toBeNull();
    expect(explainNativeModuleFailure('text')).toBeNull();
  });
});

describe('the Node versions the embedded database runs on', () => {
  it("are package.json's engines, enforced at start", () => {
    const engines = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${SUPPORTED_NODE.from} <${SUPPORTED_NODE.below}`);
    expect(unsupportedNode(process.versions.node)).toBeNull();
  });

  it('accepts Node 20.3 to 22, refuses older ones and Node 23 and later, naming the fix', () => {
    for (const version of ['20.3.0', '20.20.2', '21.7.3', '22.0.0', '22.23.3']) expect(unsupportedNode(version), version).toBeNull();
    for (const version of ['18.20.4', '20.2.0']) expect(unsupportedNode(version)).toContain('请安装 Node 22 LTS');
    for (const version of ['23.0.0', '24.21.0', '26.1.0']) {
      expect(unsupportedNode(version)).toContain(`只支持 Node 20 和 22（当前 ${version}）`);
      expect(unsupportedNode(version)).toContain('SIGABRT');
    }
  });
});
