// Local Telegram Bot API server for the end-to-end tests: telegram-test-api 4.2.1 with its gaps closed.
//
//   node harness.js PORT        prints "READY <port>" once listening on 127.0.0.1:PORT; stops on SIGTERM
//
// Gaps of the package that python-telegram-bot 22 trips over, closed here by replacing routes in the
// package's route list before the server object is constructed (it registers that list in its constructor):
//   1. getMe lacks `is_bot` (python-telegram-bot's initialize() fails).
//   2. sendMessage returns `date` in milliseconds (python-telegram-bot cannot parse the sent message).
//   3. callback queries lack `chat_instance`, which Telegram always sends (python-telegram-bot cannot
//      parse the update): added where updates are formatted.
//   4. webhook deliveries lack the `X-Telegram-Bot-Api-Secret-Token` header that Telegram sends when
//      setWebhook was given a secret_token (python-telegram-bot then refuses them with 403), and a
//      refused delivery becomes an unhandled rejection that ends the server: the header is sent, and a
//      failed delivery is reported on stderr (the test then sees no answer).
'use strict';

const assert = require('assert');
const axios = require('axios');

const { routes } = require('telegram-test-api/lib/routes/index');
const { getMe } = require('telegram-test-api/lib/routes/bot/getMe');
const { sendMessage } = require('telegram-test-api/lib/routes/bot/sendMessage');
const { handle } = require('telegram-test-api/lib/routes/bot/utils');
const { TelegramServer } = require('telegram-test-api/lib/telegramServer');

function replaceRoute(original, replacement) {
  const index = routes.indexOf(original);
  if (index < 0) throw new Error(`route ${original.name} not found in telegram-test-api's route list`);
  routes[index] = replacement;
}

replaceRoute(getMe, (app) => {
  handle(app, '/bot:token/getMe', (_req, res) => {
    res.sendResult({
      ok: true,
      result: {
        id: 666, is_bot: true, first_name: 'SBK Test Bot', username: 'TestNameBot',
        can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false,
      },
    });
  });
});

replaceRoute(sendMessage, (app, server) => {
  handle(app, '/bot:token/sendMessage', (req, res) => {
    const result = server.addBotMessage(req.body, req.params.token);
    res.sendResult({ ok: true, result: { ...result, date: Math.floor(result.date / 1000) } });
  });
});

const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = formatUpdate(update);
  const query = formatted.callback_query;
  if (query && !query.chat_instance) {
    const chat = query.message && query.message.chat;
    query.chat_instance = String(chat ? chat.id : query.from.id);
  }
  return formatted;
};

TelegramServer.prototype.addUserUpdate = async function addUserUpdate(update) {
  assert.ok(update.botToken, 'The message must be of type object and must contain `botToken` field.');
  const webhook = this.webhooks[update.botToken];
  if (webhook) {
    const headers = webhook.secret_token ? { 'X-Telegram-Bot-Api-Secret-Token': webhook.secret_token } : {};
    try {
      await axios({ url: webhook.url, method: 'POST', data: TelegramServer.formatUpdate(update), headers });
    } catch (error) {
      process.stderr.write(`webhook delivery to ${webhook.url} failed: ${error}\n`);
    }
  } else {
    this.storage.userMessages.push(update);
  }
  this.updateId += 1;
};

async function main() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: node harness.js PORT');
  // storeTimeout: keep messages for the whole test run (the default drops them after 60 s).
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });
  await server.start();
  process.stdout.write(`READY ${port}\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
