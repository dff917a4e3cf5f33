"""What each refusal of the services means for the person who met it, in Vietnamese.

Every error code a service can answer has its message here; a test collects the codes from the
services' code and fails on one without a message. The services' own English messages never reach a page.
"""

from __future__ import annotations

ERRORS = {
    # the request as a whole
    "validation_failed": "Một số trường chưa hợp lệ; xem thông báo bên cạnh từng trường.",
    "bad_request": "Yêu cầu không hợp lệ. Hãy tải lại trang rồi thử lại.",
    "not_found": "Không tìm thấy nội dung được yêu cầu.",
    "method_not_allowed": "Thao tác này không được hỗ trợ ở đây.",
    "request_entity_too_large": "Nội dung gửi lên quá lớn.",
    "unsupported_media_type": "Định dạng nội dung gửi lên không được hỗ trợ.",
    "nested_too_deeply": "Nội dung gửi lên lồng nhau quá sâu.",
    "out_of_range": "Có số vượt quá giới hạn cho phép.",
    "number_too_long": "Có số quá nhiều chữ số.",
    "request_uri_too_long": "Địa chỉ trang quá dài.",
    "rule_broken": "Yêu cầu không phù hợp với quy định của năm thi đua.",
    "refused": "Yêu cầu không được chấp nhận.",
    "conflict": "Yêu cầu trùng hoặc mâu thuẫn với dữ liệu đã có.",
    "already_erased": "Dữ liệu cá nhân của người này đã được xóa trước đó.",
    "too_large": "Tệp tải lên vượt quá dung lượng cho phép (20 MB).",
    "version_conflict": "Hồ sơ vừa được sửa ở nơi khác. Hãy tải lại trang rồi sửa lại.",
    "unavailable": "Hệ thống tạm thời không trả lời. Hãy thử lại sau ít phút.",
    "not_ready": "Hệ thống đang khởi động. Hãy thử lại sau ít phút.",
    "error": "Hệ thống trả lời không như mong đợi. Hãy thử lại sau ít phút.",
    "internal_error": "Đã có lỗi ngoài dự kiến. Bộ phận vận hành đã được ghi nhận; hãy thử lại sau.",
    # who is asking
    "forbidden": "Tài khoản của đồng chí không được làm việc này với đơn vị này.",
    "missing_token": "Phiên làm việc đã hết. Hãy đăng nhập lại.",
    "invalid_token": "Phiên làm việc đã hết. Hãy đăng nhập lại.",
    # schools, clusters, mergers
    "unknown_school": "Không tìm thấy trường này trong danh sách các trường.",
    "unknown_cluster": "Không tìm thấy cụm thi đua này trong năm đã chọn.",
    "unknown_code": "Không có trường nào mang mã này.",
    "duplicate_code": "Đã có trường mang mã này.",
    "duplicate_school": "Đã có trường cùng tên trong tỉnh, thành phố này.",
    "duplicate_cluster": "Đã có cụm thi đua cùng tên trong năm này.",
    "already_member": "Trường đã là thành viên của cụm.",
    "school_in_another_cluster": "Trường đã thuộc một cụm khác trong năm này.",
    "school_not_in_year": "Trường không còn hoạt động trong năm này.",
    "school_not_in_cluster": "Trường không thuộc cụm thi đua nào trong năm này.",
    "school_no_longer_exists": "Trường này đã sáp nhập hoặc thôi hoạt động.",
    "no_successor": "Cần chọn trường kế thừa sau sáp nhập.",
    "not_a_member": "Có trường không thuộc cụm trong năm này.",
    "leader": "Cần giao Cụm trưởng, Cụm phó khác trước khi trường này rời cụm.",
    "leader_not_member": "Cụm trưởng, Cụm phó phải là trường thành viên của cụm.",
    "no_nomination": "Cụm chưa có đề cử Cụm trưởng, Cụm phó năm sau; hãy chọn trực tiếp.",
    # campaigns and deadlines
    "campaign_exists": "Năm thi đua này đã được mở.",
    "campaign_locked": "Đã qua hạn đầu tiên của năm: chỉ có thể gia hạn từng hạn nộp.",
    "not_a_later_year": "Chỉ sao chép kế hoạch sang một năm sau.",
    "year_mismatch": "Năm trong nội dung không khớp với năm đang sửa.",
    "duplicate_deadline": "Có hai hạn nộp trùng mã.",
    "deadline_outside_year": "Các hạn nộp phải nằm trong năm thi đua.",
    "deadlines_out_of_order": "Các hạn nộp phải xếp theo thứ tự thời gian.",
    "deadline_in_past": "Không thể đặt hạn nộp vào một ngày đã qua.",
    "deadline_shortened": "Chỉ có thể gia hạn (lùi hạn nộp), không thể rút ngắn.",
    "unknown_deadline": "Không có hạn nộp này trong năm thi đua.",
    "not_a_filer": "Đơn vị này không phải nộp hồ sơ của hạn này trong năm thi đua.",
    "opened_in_future": "Ngày mở năm thi đua không thể sau ngày hôm nay.",
    "bad_target": "Chỉ tiêu có mức tối thiểu lớn hơn mức tối đa.",
    "duplicate_score_sheet": "Mỗi loại trường chỉ có một phiếu chấm điểm.",
    "score_sheet_total": "Tổng điểm các tiêu chí không bằng điểm tối đa của phiếu.",
    "no_template": "Năm thi đua chưa có phiếu chấm điểm cho loại trường này.",
    # filings
    "unknown_form": "Biểu mẫu này không có trong phong trào thi đua.",
    "school_id_required": "Cần chọn trường nộp hồ sơ.",
    "cluster_id_required": "Cần chọn cụm nộp hồ sơ.",
    "amendment_required": "Mẫu này đã được nộp; hãy sửa bản đã nộp thay vì nộp mới.",
    "deadline_passed": "Đã quá hạn sửa hồ sơ này. Cần Học viện mở lại.",
    "wrong_form_for_school_kind": "Mẫu phiếu chấm này không dành cho loại trường của đồng chí.",
    "unknown_criterion": "Có tiêu chí không có trong phiếu chấm điểm của năm.",
    "criterion_twice": "Một tiêu chí được chấm hai lần.",
    "score_above_maximum": "Có tiêu chí chấm vượt điểm tối đa.",
    "self_inspection": "Trong kiểm tra chéo, trường không tự kiểm tra chính mình.",
    "not_awaiting_review": "Hồ sơ này đã được tiếp nhận hoặc trả lại, không còn chờ tiếp nhận.",
    "bad_decision": "Hãy chọn tiếp nhận hoặc trả lại.",
    "reason_required": "Cần ghi rõ lý do.",
    "already_exempt": "Hồ sơ này đã được miễn.",
    "not_ineligible": "Trường này không ở trong diện không đủ điều kiện bình xét.",
    # documents
    "no_file": "Chưa chọn tệp để tải lên.",
    "empty_file": "Tệp tải lên rỗng.",
    "unknown_document": "Tài liệu đính kèm chưa được tải lên.",
    "file_too_large": "Tệp tải lên vượt quá dung lượng cho phép.",
    "unsupported_file_type": "Chỉ nhận tệp PDF, DOCX, XLSX, PNG hoặc JPEG.",
    "unsupported_document": "Chỉ nhận tệp PDF, DOCX, XLSX, PNG hoặc JPEG.",
    "archive_too_large": "Tệp nén (DOCX, XLSX) giải nén ra quá lớn hoặc có quá nhiều thành phần.",
    "corrupt_document": "Tệp bị hỏng hoặc không đúng định dạng (ví dụ PDF không hoàn chỉnh).",
    "macro_enabled": "Không nhận tệp có macro hoặc ActiveX: đồng chí lưu lại thành DOCX hoặc XLSX thường.",
    # Form 09 confirmations
    "not_its_school": "Hệ thống này chỉ được xác nhận cho trường thuộc tỉnh, bộ, ngành của mình.",
    "not_in_year": "Trường không tham gia phong trào thi đua của năm này.",
    # notifications
    "webhook_target_refused": "Địa chỉ nhận thông báo không được phép (chỉ địa chỉ đã đăng ký).",
    # the award decision
    "awards_decided": (
        "Quyết định khen thưởng của năm này đã được ban hành; những đề nghị chưa được quyết định được xét "
        "trong một quyết định bổ sung."
    ),
    "no_proposals": "Chưa có cụm nào đề nghị khen thưởng trong năm này.",
    "verdict_twice": "Một đề nghị được quyết định hai lần; mỗi đề nghị chỉ có một kết quả.",
    "not_proposed": (
        "Chỉ quyết định khen thưởng cho các trường đã được cụm đề nghị và được hội nghị bỏ phiếu tán thành."
    ),
    "undecided_proposals": (
        "Còn đề nghị chưa có kết quả; hãy chọn Khen thưởng hoặc Không khen thưởng cho từng đề nghị."
    ),
    "verdict_reason_required": "Đề nghị không được khen thưởng cần ghi rõ lý do.",
    "over_quota": "Vượt chỉ tiêu khen thưởng của năm: {over_text}.",
    "deputies_count": "Mỗi cụm có một hoặc hai Cụm phó; hãy chọn ít nhất một Cụm phó.",
    "leaders_not_distinct": "Cụm trưởng và các Cụm phó phải là những trường khác nhau.",
    "one_award_per_achievement": (
        "Mỗi trường chỉ được tặng một hình thức khen thưởng cho thành tích của năm; trường đã được khen "
        "thưởng, hoặc được chọn hai hình thức."
    ),
    "not_decided": "Năm này chưa có quyết định khen thưởng.",
    "no_main_decision": "Quyết định bổ sung chỉ được ban hành sau quyết định khen thưởng chính của năm.",
    "particulars_missing": "Quyết định còn thiếu số, ngày ký hoặc người ký; hãy điền đủ trước khi ban hành.",
    "number_used": "Số quyết định này đã được dùng cho một quyết định khác trong năm.",
    "issued": "Quyết định đã được ban hành nên không sửa dự thảo được nữa; hãy đính chính nếu có sai sót.",
    "no_draft": "Không tìm thấy dự thảo quyết định này.",
    "no_decision": "Không tìm thấy quyết định khen thưởng này.",
    "nothing_to_correct": "Nội dung đính chính giống hệt quyết định đã ban hành; không có gì để đính chính.",
    "correction_reason_required": "Việc đính chính cần ghi rõ lý do.",
    "not_awarded": "Trường này không được tặng hình thức khen thưởng đó theo quyết định.",
    "already_revoked": "Hình thức khen thưởng này đã bị thu hồi trước đó.",
    "revocation_incomplete": "Việc thu hồi khen thưởng cần ghi rõ lý do và căn cứ pháp lý.",
    "no_signed_paper": "Quyết định này chưa có bản PDF ký số (máy chủ chưa có phông chữ hoặc khóa ký).",
    "dossier_incomplete": (
        "Trường chưa có đủ 2 bản Mẫu số 09 được tỉnh, bộ, ngành xác nhận; theo quy định của năm, "
        "chưa thể khen thưởng."
    ),
    "override_reason_required": (
        "Trường chưa có đủ 2 bản Mẫu số 09 được xác nhận; nếu vẫn khen thưởng, hãy ghi rõ lý do."
    ),
}
"""Each error code of the services, as the portal says it (``{name}``: a detail of the refusal)."""
