// The fold extension: starts `foldc lsp` for .fold and .dl files. The
// language server does the work (diagnostics, hover, definitions,
// references, completion, symbols, quick fixes, semantic tokens,
// formatting); highlighting without it comes from the TextMate grammar.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("fold").get("server.path", "foldc");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "fold",
    "fold language server",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "fold" },
        { scheme: "file", language: "souffle" },
      ],
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
