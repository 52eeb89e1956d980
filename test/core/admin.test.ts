import { describe, it, expect } from 'vitest';
import { testCore } from '../helpers/core.ts';

describe('learning loop and admin functions', () => {
  it('reports aggregated usage figures for "thống kê câu hỏi tuần này"', async () => {
    const { core, cleanup } = await testCore();
    try {
      const h = (text: string, channel: 'web' | 'telegram' = 'web', isAdmin = false) =>
        core.engine.handle({ channel, conversationId: `u-${text.length}`, text, isAdmin });
      await h('lãi suất vay hộ nghèo');
      await h('hộ cận nghèo có được miễn học phí không', 'telegram');
      await h('giá vàng hôm nay');
      const r = await h('thống kê câu hỏi tuần này');
      expect(r.replies[0].text).toContain('Tổng số câu hỏi: 3');
      expect(r.replies[0].text).toMatch(/telegram 1/);
      expect(r.replies[0].text).not.toContain('giá vàng');
      const admin = await h('thống kê câu hỏi tuần này', 'web', true);
      expect(admin.replies[0].text).toContain('giá vàng');
    } finally {
      await cleanup();
    }
  });

  it('lists the inbox for admins only, grouped with counts', async () => {
    const { core, cleanup } = await testCore();
    try {
      for (let i = 0; i < 3; i++)
        await core.engine.handle({ channel: 'web', conversationId: `q${i}`, text: 'giá thanh long hôm nay bao nhiêu' });
      await core.engine.handle({ channel: 'web', conversationId: 'fb', text: 'hộ nghèo được vay bao nhiêu' });
      await core.engine.handle({ channel: 'web', conversationId: 'fb', payload: 'fb:down:loan-poor-household' });
      const admin = await core.engine.handle({ channel: 'telegram', conversationId: 'adm', text: '/hopthu', isAdmin: true });
      expect(admin.replies[0].text).toContain('3 lần: "giá thanh long hôm nay bao nhiêu"');
      expect(admin.replies[0].text).toContain('hộ nghèo được vay bao nhiêu');
      const user = await core.engine.handle({ channel: 'telegram', conversationId: 'usr', text: '/hopthu' });
      expect(user.replies[0].text).not.toContain('thanh long');
    } finally {
      await cleanup();
    }
  });
});

describe('statistics import in chat', () => {
  const header = 'area_id,indicator,value,unit,qualifier,as_of,period_start,status,note,source,source_url';
  it('imports a good CSV for an admin and refuses a bad one whole, with line numbers', async () => {
    const { core, cleanup } = await testCore();
    try {
      const ok = await core.engine.handle({
        channel: 'telegram',
        conversationId: 'a',
        isAdmin: true,
        text: `/nhapsolieu\n${header}\nbinh-thuan,poor_households,6000,households,,2024-12-31,,estimate,,Báo cáo thử,`,
      });
      expect(ok.replies[0].text).toContain('đã nhập số liệu: 1 số liệu mới');
      const bad = await core.engine.handle({
        channel: 'telegram',
        conversationId: 'a',
        isAdmin: true,
        text: `/nhapsolieu\n${header}\nkhong-co,poor_households,1,households,,2024-12-31,,reported,,X,\nbinh-thuan,poor_households,abc,households,,2024-06-30,,reported,,X,`,
      });
      expect(bad.replies[0].text).toContain('không nhập dòng nào');
      expect(bad.replies[0].text).toContain('Dòng 2');
      expect(bad.replies[0].text).toContain('Dòng 3');
      const user = await core.engine.handle({
        channel: 'telegram',
        conversationId: 'u',
        text: `/nhapsolieu\n${header}\nbinh-thuan,poor_households,1,households,,2024-12-30,,reported,,X,`,
      });
      expect(user.replies[0].text).not.toContain('đã nhập');
    } finally {
      await cleanup();
    }
  });
});
