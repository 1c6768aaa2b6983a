// Turning the `min.server.path` and `min.minc.path` settings into executables.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Expands a setting's value: `~` is the home folder, `${workspaceFolder}` the
 * first workspace folder, and a relative path with a separator is taken from
 * the first workspace folder. A bare name such as `minc` is left for `PATH`.
 */
export function expandSetting(value: string, workspaceFolder: string | undefined, home: string = os.homedir()): string {
  let expanded = value.trim();
  if (workspaceFolder !== undefined) {
    expanded = expanded.split('${workspaceFolder}').join(workspaceFolder);
  }
  if (expanded === '~') {
    expanded = home;
  } else if (expanded.startsWith('~/') || expanded.startsWith('~\\')) {
    expanded = path.join(home, expanded.slice(2));
  }
  if (!path.isAbsolute(expanded) && hasSeparator(expanded) && workspaceFolder !== undefined) {
    expanded = path.join(workspaceFolder, expanded);
  }
  return expanded;
}

function hasSeparator(value: string): boolean {
  return value.includes('/') || (process.platform === 'win32' && value.includes('\\'));
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

function candidates(file: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32' || path.extname(file) !== '') {
    return [file];
  }
  const extensions = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '');
  return [file, ...extensions.map((e) => file + e.toLowerCase())];
}

/**
 * The executable that `command` names: a path is checked as it is, a bare
 * name is looked up in the folders of `PATH`. Undefined when there is none.
 */
export function findExecutable(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (command === '') {
    return undefined;
  }
  if (path.isAbsolute(command) || hasSeparator(command)) {
    return candidates(command, env, platform).find((file) => isExecutableFile(file, platform));
  }
  const pathValue = env.PATH ?? env.Path ?? '';
  for (const folder of pathValue.split(path.delimiter)) {
    if (folder === '') {
      continue;
    }
    const found = candidates(path.join(folder, command), env, platform).find((file) => isExecutableFile(file, platform));
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}
