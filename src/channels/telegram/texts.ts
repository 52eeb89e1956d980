/**
 * The Telegram adapter's own words (commands menu, hints). Everything about policy comes from the
 * core; these are only the adapter's translations of platform events.
 */

export interface TelegramCommand {
  command: string;
  description: string;
  /** Payload sent to the core, or null when the adapter handles the command itself. */
  payload: string | null;
}

/** Registered with setMyCommands (Vietnamese), and translated into core payloads. */
export const COMMANDS: readonly TelegramCommand[] = [
  { command: 'start', description: 'Bắt đầu, xem các chủ đề hỗ trợ', payload: 'menu' },
  { command: 'chinhsach', description: 'Các chính sách giảm nghèo theo chủ đề', payload: 'menu:topics' },
  { command: 'kiemtra', description: 'Kiểm tra nhanh hộ gia đình được hưởng gì', payload: 'elig:start' },
  { command: 'solieu', description: 'Số liệu thống kê hộ nghèo, cận nghèo', payload: 'stats:menu' },
  { command: 'huy', description: 'Huỷ bước đang làm', payload: 'cancel' },
  { command: 'help', description: 'Hướng dẫn sử dụng', payload: 'help' },
  { command: 'xoadulieu', description: 'Xóa dữ liệu trò chuyện của tôi', payload: null },
];

/**
 * Admin commands the core answers (`/hopthu` lists the inbox, `/nhapsolieu` + CSV imports statistics).
 * Not registered with setMyCommands (residents would see them); passed to the core as typed, and only
 * from an admin in a private chat. Everyone else typing them gets the help text, like any unknown command.
 */
export const ADMIN_COMMANDS: readonly string[] = ['hopthu', 'inbox', 'nhapsolieu'];

/** The adapter's own polite replies (platform events, limits, failures); policy text comes from the core. */
export const TEXTS = {
  nonText:
    'Dạ, em chỉ đọc được tin nhắn chữ. Anh/chị vui lòng gõ câu hỏi bằng chữ (ví dụ: "Hộ nghèo được vay vốn bao nhiêu?") hoặc bấm /chinhsach để xem các chủ đề ạ.',
  adminFile:
    'Dạ, em đã nhận tệp nhưng hiện chưa nhập dữ liệu qua Telegram. Anh/chị quản trị vui lòng dùng công cụ dòng lệnh trên máy chủ ạ.',
  rateLimited: 'Dạ, anh/chị gửi tin nhắn hơi nhanh. Anh/chị vui lòng chờ khoảng một phút rồi hỏi tiếp, em sẽ trả lời ngay ạ.',
  rateLimitedToast: 'Anh/chị vui lòng chờ một chút rồi bấm lại ạ.',
  erased:
    'Dạ, em đã xóa dữ liệu của cuộc trò chuyện này (các bước đang làm dở và thông tin em ghi nhớ). Anh/chị có thể bắt đầu lại bằng /start ạ.',
  nothingToErase: 'Dạ, hiện em không lưu dữ liệu nào của cuộc trò chuyện này ạ.',
  failure: 'Dạ, em đang gặp sự cố kỹ thuật nên chưa trả lời được. Anh/chị vui lòng thử lại sau ít phút ạ.',
  expiredButton: 'Nút này đã cũ. Anh/chị vui lòng bấm /start để mở lại danh mục ạ.',
} as const;
