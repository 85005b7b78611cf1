import { check } from './wecom';

// "群机器人配置说明" (developer.work.weixin.qq.com/document/path/91770): the documented example
// request, the 4096-byte markdown limit, 20 messages a minute, errcode answers in HTTP 200.

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const settings = { key: '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' };
const url = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${settings.key}`;

function send(body: unknown, to = url) {
  return { url: to, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function errcode(result: ReturnType<typeof check>): unknown {
  return JSON.parse(result.body);
}

describe('wecom receiver', () => {
  it('accepts the documented markdown example and reads its <@userid> mentions and link', () => {
    const content =
      '实时新增用户反馈<font color="warning">132例</font>,请相关同事注意。\n>类型:<font color="comment">用户反馈</font>\n<@zhangsan> [详情](https://board.example/#deal=D-1)';
    const result = check(send({ msgtype: 'markdown', markdown: { content } }), settings, NOW);
    expect(result).toMatchObject({
      accepted: true,
      status: 200,
      message: { format: 'wecom', mentions: ['zhangsan'], link: 'https://board.example/#deal=D-1' },
    });
    expect(errcode(result)).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it('accepts the documented text example with mentioned_list', () => {
    const body = { msgtype: 'text', text: { content: '广州今日天气:29度,大部分多云,降雨概率:60%', mentioned_list: ['wangqing', '@all'] } };
    expect(check(send(body), settings, NOW)).toMatchObject({ accepted: true, message: { mentions: ['wangqing', '@all'] } });
  });

  it('answers 93000 for another key, 40008 for an unknown msgtype, 44004 for empty content', () => {
    const markdown = { msgtype: 'markdown', markdown: { content: 'hi' } };
    expect(errcode(check(send(markdown, url.replace(settings.key, 'other')), settings, NOW))).toEqual({
      errcode: 93000,
      errmsg: 'invalid webhook url',
    });
    expect(check(send(markdown, url.replace(settings.key, 'other')), settings, NOW)).toMatchObject({ accepted: false, status: 200 });
    expect(errcode(check(send({ msgtype: 'markdwn', markdown: { content: 'hi' } }), settings, NOW))).toMatchObject({ errcode: 40008 });
    expect(errcode(check(send({ msgtype: 'markdown', markdown: {} }), settings, NOW))).toMatchObject({ errcode: 44004 });
  });

  it('takes markdown.content of exactly 4096 bytes of UTF-8 and answers 40058 for 4097', () => {
    const exact = '中'.repeat(1365) + 'a'; // 3 × 1365 + 1 = 4096 bytes
    expect(check(send({ msgtype: 'markdown', markdown: { content: exact } }), settings, NOW).accepted).toBe(true);
    const over = check(send({ msgtype: 'markdown', markdown: { content: `${exact}a` } }), settings, NOW);
    expect(over).toMatchObject({ accepted: false, status: 200 });
    expect(errcode(over)).toMatchObject({ errcode: 40058, errmsg: expect.stringContaining('markdown.content exceed max length 4096') });
  });

  it('answers 45009 for the 21st message in a sliding minute, and takes one again once the first is a minute old', () => {
    const earlier = Array.from({ length: 20 }, (_, index) => NOW - 59_000 + index * 1000);
    const body = send({ msgtype: 'markdown', markdown: { content: 'x' } });
    expect(errcode(check(body, settings, NOW, earlier))).toEqual({ errcode: 45009, errmsg: 'api freq out of limit' });
    expect(check(body, settings, NOW + 1001, earlier).accepted).toBe(true);
  });
});
