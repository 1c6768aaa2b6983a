// The Min extension: starts the Min language server (`min-lsp`, LSP over
// stdio) for `.min` files, and runs `minc check` and `minc run` on the
// current file.

import * as cp from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { parseArgs, quoteArg } from './args';
import { enclosingDefinition, isName, topLevelDefinitions } from './definitions';
import { expandSetting, findExecutable } from './paths';

let client: LanguageClient | undefined;
let serverChannel: vscode.OutputChannel | undefined;
let commandChannel: vscode.OutputChannel | undefined;
let serverStatus: vscode.LanguageStatusItem | undefined;
let minFileWatcher: vscode.FileSystemWatcher | undefined;
/** Starts and stops of the server run one after the other, in order. */
let serverQueue: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  serverChannel = vscode.window.createOutputChannel('Min Language Server');
  commandChannel = vscode.window.createOutputChannel('Min');
  minFileWatcher = vscode.workspace.createFileSystemWatcher('**/*.min');
  serverStatus = vscode.languages.createLanguageStatusItem('min.server', { language: 'min' });
  serverStatus.name = 'Min Language Server';
  serverStatus.command = { command: 'min.restartServer', title: 'Restart' };

  context.subscriptions.push(
    serverChannel,
    commandChannel,
    minFileWatcher,
    serverStatus,
    vscode.commands.registerCommand('min.check', (uri?: vscode.Uri) => checkFile(uri)),
    // From a code lens the server passes the file, the name and how many arguments it takes.
    vscode.commands.registerCommand('min.run', (uri?: vscode.Uri | string, name?: string, arity?: number) =>
      runFunction(context, typeof uri === 'string' ? vscode.Uri.parse(uri) : uri, name, arity),
    ),
    vscode.commands.registerCommand('min.restartServer', () => restartServer(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('min.server')) {
        void restartServer(false);
      }
    }),
  );

  void enqueue(() => startServer(false));
}

export function deactivate(): Promise<void> {
  return enqueue(stopServer);
}

// ---------------------------------------------------------------- the language server

function enqueue(job: () => Promise<void>): Promise<void> {
  serverQueue = serverQueue.then(job, job);
  return serverQueue;
}

function restartServer(explicit: boolean): Promise<void> {
  return enqueue(async () => {
    await stopServer();
    await startServer(explicit);
  });
}

function firstWorkspaceFolder(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder?.uri.fsPath;
}

function setStatus(text: string, detail: string, severity: vscode.LanguageStatusSeverity, busy = false): void {
  if (serverStatus !== undefined) {
    serverStatus.text = text;
    serverStatus.detail = detail;
    serverStatus.severity = severity;
    serverStatus.busy = busy;
  }
}

/**
 * Restarts a server that crashed after it had started, at most 4 times in 3
 * minutes; a server that never got running is not restarted (startServer
 * reports it). Connection errors are logged, not shown as notifications.
 */
class ServerErrorHandler implements ErrorHandler {
  private crashes: number[] = [];
  running = false;

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    if (!this.running) {
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.running = false;
    const now = Date.now();
    this.crashes = this.crashes.filter((time) => now - time < 3 * 60 * 1000);
    this.crashes.push(now);
    if (this.crashes.length > 4) {
      return {
        action: CloseAction.DoNotRestart,
        message: 'The Min language server stopped 5 times in 3 minutes and will not be restarted. Run "Min: Restart Language Server" to try again.',
      };
    }
    return { action: CloseAction.Restart, handled: true };
  }
}

async function startServer(explicit: boolean): Promise<void> {
  const config = vscode.workspace.getConfiguration('min');
  const setting = config.get<string>('server.path', 'min-lsp');
  const args = config.get<string[]>('server.args', []);
  const command = findExecutable(expandSetting(setting, firstWorkspaceFolder()));
  if (command === undefined) {
    const message =
      `The Min language server \`${setting}\` was not found` +
      (setting.includes('/') || setting.includes('\\') ? '.' : ' on PATH.') +
      ' Install `min-lsp` or set `min.server.path`; highlighting and the Min commands work without it.';
    serverChannel?.appendLine(`[${new Date().toLocaleTimeString()}] ${message}`);
    setStatus('$(error) min-lsp not found', setting, vscode.LanguageStatusSeverity.Error);
    // Do not wait for the user's answer: later restarts queue behind this job.
    void vscode.window.showWarningMessage(message, 'Open Settings').then((choice) => {
      if (choice === 'Open Settings') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'min.server.path');
      }
    });
    return;
  }

  // No `transport`: the client then talks over the child's stdin and stdout
  // and passes no `--stdio` flag; the server is started with `args` only.
  const serverOptions: ServerOptions = { command, args, options: { env: process.env } };
  const errorHandler = new ServerErrorHandler();
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'min' },
      { scheme: 'untitled', language: 'min' },
    ],
    outputChannel: serverChannel,
    synchronize: { fileEvents: minFileWatcher },
    errorHandler,
    // Do not retry a failed `initialize`; start() then fails and the client shows one notification.
    initializationFailedHandler: (error) => {
      serverChannel?.appendLine(`[${new Date().toLocaleTimeString()}] initialize failed: ${errorMessage(error)}`);
      return false;
    },
  };
  const next = new LanguageClient('min', 'Min Language Server', serverOptions, clientOptions);
  next.onDidChangeState((event) => {
    if (client !== next) {
      return;
    }
    switch (event.newState) {
      case State.Starting:
        setStatus('min-lsp', `Starting ${command}`, vscode.LanguageStatusSeverity.Information, true);
        break;
      case State.Running:
        errorHandler.running = true;
        setStatus('min-lsp', command, vscode.LanguageStatusSeverity.Information);
        break;
      case State.Stopped:
        setStatus('$(warning) min-lsp stopped', command, vscode.LanguageStatusSeverity.Warning);
        break;
    }
  });
  client = next;
  try {
    await next.start();
    if (!next.isRunning()) {
      throw new Error('the server stopped while starting');
    }
    serverChannel?.appendLine(`[${new Date().toLocaleTimeString()}] Started ${[command, ...args].join(' ')}`);
    if (explicit) {
      void vscode.window.setStatusBarMessage('Min language server restarted', 3000);
    }
  } catch (error) {
    if (client === next) {
      client = undefined;
    }
    // The client has already shown a notification; log the details.
    const message = `The Min language server failed to start: ${errorMessage(error)}`;
    serverChannel?.appendLine(`[${new Date().toLocaleTimeString()}] ${message}`);
    setStatus('$(error) min-lsp failed', message, vscode.LanguageStatusSeverity.Error);
    await disposeClient(next);
  }
}

async function stopServer(): Promise<void> {
  const current = client;
  client = undefined;
  if (current !== undefined) {
    await disposeClient(current);
  }
}

async function disposeClient(target: LanguageClient): Promise<void> {
  try {
    await target.dispose();
  } catch (error) {
    // A client that never got running cannot be stopped; there is nothing to clean up.
    serverChannel?.appendLine(`[${new Date().toLocaleTimeString()}] Stopping the server: ${errorMessage(error)}`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------- minc commands

/** The saved `.min` file a command works on: its argument, else the active editor's file. */
async function targetFile(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  let document: vscode.TextDocument | undefined;
  if (uri instanceof vscode.Uri) {
    document = await vscode.workspace.openTextDocument(uri);
  } else {
    document = vscode.window.activeTextEditor?.document;
  }
  if (document === undefined || document.languageId !== 'min') {
    void vscode.window.showErrorMessage('Open a Min (.min) file first.');
    return undefined;
  }
  if (document.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Save the Min file to disk first: minc works on files.');
    return undefined;
  }
  if (document.isDirty && !(await document.save())) {
    void vscode.window.showErrorMessage(`Could not save ${path.basename(document.fileName)}.`);
    return undefined;
  }
  return document;
}

function mincExecutable(): string | undefined {
  const setting = vscode.workspace.getConfiguration('min').get<string>('minc.path', 'minc');
  const found = findExecutable(expandSetting(setting, firstWorkspaceFolder()));
  if (found === undefined) {
    void vscode.window
      .showErrorMessage(`\`${setting}\` was not found. Install minc or set \`min.minc.path\`.`, 'Open Settings')
      .then((choice) => {
        if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'min.minc.path');
        }
      });
  }
  return found;
}

interface MincResult {
  code: number | null;
  stdout: string;
  cancelled: boolean;
}

interface MincRun {
  minc: string;
  args: string[];
  /** The folder minc runs in: the file's, so that its imports are found. */
  cwd: string;
  title: string;
  /** A notification that can cancel the run, rather than the status bar. */
  cancellable: boolean;
  /** Printed after a run that succeeds. */
  okMessage?: string;
}

/** Runs minc, streaming its output to the Min channel. */
function runMinc({ minc, args, cwd, title, cancellable, okMessage }: MincRun): Thenable<MincResult> {
  const channel = commandChannel!;
  channel.show(true);
  channel.appendLine(`$ ${[minc, ...args].map(quoteArg).join(' ')}`);
  const location = cancellable ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
  return vscode.window.withProgress(
    { location, title, cancellable },
    (_progress, token) =>
      new Promise<MincResult>((resolve) => {
        let stdout = '';
        let cancelled = false;
        const child = cp.spawn(minc, args, { cwd, env: process.env, windowsHide: true });
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (data: string) => {
          stdout += data;
          channel.append(data);
        });
        child.stderr.on('data', (data: string) => channel.append(data));
        const cancellation = token.onCancellationRequested(() => {
          cancelled = true;
          child.kill();
        });
        child.on('error', (error) => {
          cancellation.dispose();
          channel.appendLine(`could not start ${minc}: ${error.message}`);
          resolve({ code: null, stdout, cancelled });
        });
        child.on('close', (code) => {
          cancellation.dispose();
          if (cancelled) {
            channel.appendLine('(cancelled)');
          } else if (code !== 0) {
            channel.appendLine(`(exit code ${code})`);
          } else if (okMessage !== undefined) {
            channel.appendLine(okMessage);
          }
          channel.appendLine('');
          resolve({ code, stdout, cancelled });
        });
      }),
  );
}

async function checkFile(uri: vscode.Uri | undefined): Promise<void> {
  const document = await targetFile(uri);
  if (document === undefined) {
    return;
  }
  const minc = mincExecutable();
  if (minc === undefined) {
    return;
  }
  const file = document.fileName;
  const name = path.basename(file);
  const result = await runMinc({
    minc,
    args: ['check', file],
    cwd: path.dirname(file),
    title: `minc check ${name}`,
    cancellable: false,
    okMessage: `${name}: no errors`,
  });
  if (result.cancelled) {
    return;
  }
  if (result.code === 0) {
    void vscode.window.setStatusBarMessage(`$(check) minc check: ${name} has no errors`, 5000);
  } else if (result.code === 1) {
    void vscode.window.showWarningMessage(`minc check found errors in ${name}; see the Min output.`);
  } else {
    void vscode.window.showErrorMessage(`minc check failed on ${name}; see the Min output.`);
  }
}

interface LastRun {
  name: string;
  args: string;
}

async function runFunction(
  context: vscode.ExtensionContext,
  uri: vscode.Uri | undefined,
  presetName?: string,
  presetArity?: number,
): Promise<void> {
  const document = await targetFile(uri);
  if (document === undefined) {
    return;
  }
  const file = document.fileName;
  const memoryKey = `min.run.last:${file}`;
  const last = context.workspaceState.get<LastRun>(memoryKey);
  const text = document.getText();
  const editor = vscode.window.activeTextEditor;
  const atCursor =
    editor !== undefined && editor.document === document ? enclosingDefinition(text, editor.selection.active.line) : undefined;
  const names = topLevelDefinitions(text).map((d) => d.name);

  const name = presetName ?? await vscode.window.showInputBox({
    title: `Run a function of ${path.basename(file)}`,
    prompt: names.length > 0 ? `Defined here: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}` : 'The function or value to run',
    value: atCursor ?? last?.name ?? names[0] ?? '',
    placeHolder: 'main',
    ignoreFocusOut: true,
    validateInput: (value) => (isName(value.trim()) ? undefined : 'A Min name, such as `main` or `black_scholes`'),
  });
  if (name === undefined) {
    return;
  }
  const functionName = name.trim();

  const argsText = presetArity === 0 ? '' : await vscode.window.showInputBox({
    title: `Arguments of ${functionName}`,
    prompt: 'Min literals separated by spaces, quoted as in a shell: 42 0.5 true \'"text"\' "\'c\'" \'[1, 2]\' \'Some 3\'',
    value: last?.name === functionName ? last.args : '',
    placeHolder: 'no arguments',
    ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseArgs(value);
      return parsed.ok ? undefined : `Cannot read the arguments: ${parsed.error}`;
    },
  });
  if (argsText === undefined) {
    return;
  }
  const parsed = parseArgs(argsText);
  if (!parsed.ok) {
    return;
  }
  await context.workspaceState.update(memoryKey, { name: functionName, args: argsText } satisfies LastRun);

  const minc = mincExecutable();
  if (minc === undefined) {
    return;
  }
  const result = await runMinc({
    minc,
    args: ['run', file, functionName, ...parsed.args],
    cwd: path.dirname(file),
    title: `minc run ${functionName}`,
    cancellable: true,
  });
  if (result.cancelled) {
    return;
  }
  if (result.code === 0) {
    const value = result.stdout.trim();
    if (value.length > 0 && value.length <= 200 && !value.includes('\n')) {
      void vscode.window.showInformationMessage(`${functionName} = ${value}`);
    }
  } else {
    void vscode.window.showErrorMessage(`minc run ${functionName} failed; see the Min output.`);
  }
}
