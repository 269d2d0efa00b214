import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  MAX_CAMPAIGN_VALUE_LENGTH,
  MAX_REFERRER_LENGTH,
  parseCampaign,
  reduceReferrer,
  sessionAttribution,
} from '../../src/edge/referrer.js';

const PAGE_HOST = 'www.shop.example';
const PROPERTY = 'shop.example';

describe('reduceReferrer', () => {
  const named: [referrer: string, reduced: string, source: string][] = [
    ['https://www.google.com/search?q=shoes', 'google.com/search', 'Google'],
    ['https://www.google.de/', 'google.de', 'Google'],
    ['https://www.bing.com/search?q=shoes', 'bing.com/search', 'Bing'],
    ['https://duckduckgo.com/', 'duckduckgo.com', 'DuckDuckGo'],
    ['https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example', 'l.facebook.com/l.php', 'Facebook'],
    ['https://m.facebook.com/', 'm.facebook.com', 'Facebook'],
    ['https://l.instagram.com/?u=x', 'l.instagram.com', 'Instagram'],
    ['https://t.co/AbC123', 't.co/AbC123', 'Twitter'],
    ['https://x.com/someone/status/1', 'x.com/someone/status/1', 'Twitter'],
    ['https://www.linkedin.com/feed/', 'linkedin.com/feed/', 'LinkedIn'],
    ['https://lnkd.in/abc', 'lnkd.in/abc', 'LinkedIn'],
    ['https://www.reddit.com/r/shoes/comments/1', 'reddit.com/r/shoes/comments/1', 'Reddit'],
    ['https://old.reddit.com/', 'old.reddit.com', 'Reddit'],
    ['https://www.youtube.com/watch?v=1', 'youtube.com/watch', 'YouTube'],
    ['https://m.youtube.com/', 'm.youtube.com', 'YouTube'],
    ['https://github.com/org/repo', 'github.com/org/repo', 'GitHub'],
    ['https://news.ycombinator.com/item?id=1', 'news.ycombinator.com/item', 'Hacker News'],
    ['https://www.baidu.com/s?wd=shoes', 'baidu.com/s', 'Baidu'],
    ['https://yandex.ru/search/?text=shoes', 'yandex.ru/search/', 'Yandex'],
    ['https://www.ecosia.org/search?q=shoes', 'ecosia.org/search', 'Ecosia'],
    ['https://www.qwant.com/?q=shoes', 'qwant.com', 'Qwant'],
    ['https://www.pinterest.com/pin/1/', 'pinterest.com/pin/1/', 'Pinterest'],
    ['https://www.pinterest.co.uk/', 'pinterest.co.uk', 'Pinterest'],
    ['https://www.tiktok.com/', 'tiktok.com', 'TikTok'],
    ['https://chatgpt.com/', 'chatgpt.com', 'ChatGPT'],
    ['https://www.perplexity.ai/search/x', 'perplexity.ai/search/x', 'Perplexity'],
    ['https://images.google.fr/imgres?imgurl=x', 'images.google.fr/imgres', 'Google Images'],
  ];
  for (const [referrer, reduced, source] of named) {
    test(`${new URL(referrer).hostname} is ${source}`, () => {
      assert.deepEqual(reduceReferrer(referrer, PAGE_HOST, PROPERTY), { referrer: reduced, source });
    });
  }

  const unnamed: [referrer: string, reduced: string][] = [
    ['https://someblog.example/posts/1?utm_source=x#comments', 'someblog.example/posts/1'],
    ['http://WWW.Someblog.Example./', 'someblog.example'],
    ['https://t.company.example/page', 't.company.example/page'],
    ['https://notshop.example/', 'notshop.example'],
    ['https://user:secret@forum.example/thread', 'forum.example/thread'],
    ['https://[2001:db8::1]/x', '[2001:db8::1]/x'],
  ];
  for (const [referrer, reduced] of unnamed) {
    test(`unknown referrer ${reduced} is its own source`, () => {
      assert.deepEqual(reduceReferrer(referrer, PAGE_HOST, PROPERTY), { referrer: reduced, source: reduced.split('/')[0] });
    });
  }

  const none: [name: string, referrer: string | null | undefined][] = [
    ['null', null],
    ['undefined', undefined],
    ['empty string', ''],
    ['garbage', 'not a url'],
    ['relative path', '/checkout'],
    ['android-app scheme', 'android-app://com.google.android.gm/'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['file scheme', 'file:///etc/passwd'],
    ['same host', 'https://www.shop.example/cart'],
    ['property domain', 'https://shop.example/'],
    ['subdomain of the property', 'https://blog.shop.example/post'],
    ['deep subdomain of the property', 'https://a.b.shop.example/'],
    ['same host in upper case', 'HTTPS://WWW.SHOP.EXAMPLE/'],
  ];
  for (const [name, referrer] of none) {
    test(`${name} gives nulls`, () => {
      assert.deepEqual(reduceReferrer(referrer, PAGE_HOST, PROPERTY), { referrer: null, source: null });
    });
  }

  test('property domain defaults to the page host without www', () => {
    assert.deepEqual(reduceReferrer('https://blog.shop.example/', PAGE_HOST), { referrer: null, source: null });
  });

  test('long referrer is cut', () => {
    const reduced = reduceReferrer(`https://someblog.example/${'a'.repeat(5000)}`, PAGE_HOST, PROPERTY);
    assert.equal(reduced.referrer?.length, MAX_REFERRER_LENGTH);
  });
});

describe('parseCampaign', () => {
  test('reads all five UTM parameters', () => {
    const url = new URL(
      'https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_content=header&utm_term=red+shoes',
    );
    assert.deepEqual(parseCampaign(url), {
      utmSource: 'newsletter',
      utmMedium: 'email',
      utmCampaign: 'spring',
      utmContent: 'header',
      utmTerm: 'red shoes',
      clickIdParameter: null,
    });
  });

  test('trims values and treats empty as null', () => {
    const campaign = parseCampaign(new URL('https://shop.example/?utm_source=%20news%20&utm_medium=&utm_campaign=%20%20'));
    assert.equal(campaign.utmSource, 'news');
    assert.equal(campaign.utmMedium, null);
    assert.equal(campaign.utmCampaign, null);
  });

  test('caps long values', () => {
    const campaign = parseCampaign(new URL(`https://shop.example/?utm_campaign=${'x'.repeat(1000)}`));
    assert.equal(campaign.utmCampaign?.length, MAX_CAMPAIGN_VALUE_LENGTH);
  });

  test('first UTM value wins when repeated', () => {
    assert.equal(parseCampaign(new URL('https://shop.example/?utm_source=a&utm_source=b')).utmSource, 'a');
  });

  const clickIds: [query: string, expected: string | null][] = [
    ['gclid=Cj0KCQ', 'gclid'],
    ['gbraid=0AAAA', 'gbraid'],
    ['wbraid=abc', 'wbraid'],
    ['dclid=abc', 'dclid'],
    ['fbclid=IwAR0', 'fbclid'],
    ['msclkid=abc', 'msclkid'],
    ['ttclid=abc', 'ttclid'],
    ['twclid=abc', 'twclid'],
    ['li_fat_id=abc', 'li_fat_id'],
    ['epik=abc', 'epik'],
    ['rdt_cid=abc', 'rdt_cid'],
    ['ScCid=abc', 'sccid'],
    ['yclid=abc', 'yclid'],
    ['utm_source=x&fbclid=1&gclid=2', 'fbclid'],
    ['gclid=&fbclid=1', 'fbclid'],
    ['gclid=', null],
    ['click_id=abc', null],
    ['', null],
  ];
  for (const [query, expected] of clickIds) {
    test(`click id from "${query}" is ${String(expected)}`, () => {
      assert.equal(parseCampaign(new URL(`https://shop.example/p?${query}`)).clickIdParameter, expected);
    });
  }

  test('click-id value is never returned', () => {
    const campaign = parseCampaign(new URL('https://shop.example/?gclid=SECRETVALUE123'));
    assert.ok(!JSON.stringify(campaign).includes('SECRETVALUE123'));
  });
});

describe('sessionAttribution', () => {
  test('utm_source wins over the referrer source', () => {
    const attributes = sessionAttribution(new URL('https://shop.example/?utm_source=newsletter'), 'https://www.google.com/', PROPERTY);
    assert.equal(attributes.referrerSource, 'newsletter');
    assert.equal(attributes.referrer, 'google.com');
    assert.equal(attributes.utmSource, 'newsletter');
  });

  test('utm_source naming a known source takes its spelling', () => {
    const attributes = sessionAttribution(new URL('https://shop.example/?utm_source=facebook'), null, PROPERTY);
    assert.equal(attributes.referrerSource, 'Facebook');
    assert.equal(attributes.utmSource, 'facebook');
  });

  test('referrer source without UTM', () => {
    const attributes = sessionAttribution(new URL('https://shop.example/'), 'https://news.ycombinator.com/item?id=1', PROPERTY);
    assert.equal(attributes.referrerSource, 'Hacker News');
  });

  test('direct visit has no source', () => {
    assert.deepEqual(sessionAttribution(new URL('https://shop.example/'), '', PROPERTY), {
      referrer: null,
      referrerSource: null,
      utmSource: null,
      utmMedium: null,
      utmCampaign: null,
      utmContent: null,
      utmTerm: null,
      clickIdParameter: null,
    });
  });

  test('internal referrer with UTM keeps the UTM source', () => {
    const attributes = sessionAttribution(new URL('https://shop.example/?utm_source=qr'), 'https://shop.example/home', PROPERTY);
    assert.equal(attributes.referrer, null);
    assert.equal(attributes.referrerSource, 'qr');
  });

  test('click id and campaign are carried', () => {
    const attributes = sessionAttribution(
      new URL('https://shop.example/?utm_medium=cpc&utm_campaign=spring&gclid=abc'),
      'https://www.google.com/',
      PROPERTY,
    );
    assert.equal(attributes.referrerSource, 'Google');
    assert.equal(attributes.utmMedium, 'cpc');
    assert.equal(attributes.utmCampaign, 'spring');
    assert.equal(attributes.clickIdParameter, 'gclid');
  });

  test('property domain defaults to the page host', () => {
    const attributes = sessionAttribution(new URL('https://www.shop.example/'), 'https://blog.shop.example/');
    assert.equal(attributes.referrer, null);
  });
});
