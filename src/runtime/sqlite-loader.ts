// Opening better-sqlite3 on this machine's Node: refused on a Node it cannot run on, and explained
// in Chinese when its compiled part is missing or was built for another Node.
import Database from 'better-sqlite3';

/** package.json's `engines`, which npm only warns about: `>=20.3 <23`. */
export const SUPPORTED_NODE = { from: '20.3', below: 23 } as const;

/**
 * Why this Node cannot run the embedded database, or null. better-sqlite3 12 (pinned because 13
 * needs Node 22) aborts the whole process on Node 24.19 and later, at random, when the garbage
 * collector finalizes a statement (Node's ObjectWrap change; nodejs/node#65446). A refusal at start
 * beats a server that dies mid-week.
 */
export function unsupportedNode(version: string): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [fromMajor = 0, fromMinor = 0] = SUPPORTED_NODE.from.split('.').map(Number);
  if (major < fromMajor || (major === fromMajor && minor < fromMinor)) return `督办需要 Node ${SUPPORTED_NODE.from} 或更高版本（当前 ${version}）。请安装 Node 22 LTS。`;
  if (major >= SUPPORTED_NODE.below)
    return `督办的嵌入式数据库（better-sqlite3 12）只支持 Node 20 和 22（当前 ${version}）：在 Node 24 上它会在垃圾回收时让进程异常退出（SIGABRT）。请使用 Node 22 LTS，然后在项目目录运行 npm rebuild better-sqlite3。`;
  return null;
}

export function openSqlite(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (error) {
    throw explainNativeModuleFailure(error) ?? error;
  }
}

/**
 * better-sqlite3 loads its compiled part when the first database opens. On a fresh machine that part
 * is missing when the install skipped its build script (npm 12 blocks scripts package.json's
 * allowScripts does not list; `ignore-scripts` skips them all), and it no longer loads after Node
 * itself is upgraded. The library's own words point at neither cause; these name the fix.
 */
export function explainNativeModuleFailure(error: unknown): Error | null {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  let cause: string;
  if (message.startsWith('Could not locate the bindings file')) cause = '它没有编译：安装时跳过了它的安装脚本（npm 12 起只运行 package.json 的 allowScripts 批准的安装脚本；设置了 ignore-scripts 时全部跳过）';
  else if (message.includes('NODE_MODULE_VERSION')) cause = `它是为另一个 Node.js 版本编译的，当前是 ${process.version}`;
  else if (code === 'ERR_DLOPEN_FAILED') cause = `加载失败：${message.split('\n')[0]}`;
  else return null;
  return new Error(`无法加载 better-sqlite3 的本地模块：${cause}。请在项目目录运行 npm rebuild better-sqlite3（设置了 ignore-scripts 时加 --ignore-scripts=false），然后重新启动。`, {
    cause: error,
  });
}
