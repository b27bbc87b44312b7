// English and Arabic strings for the web clients, the language switch, and the page direction.
// Elements with data-i18n="key" (text), data-i18n-placeholder, data-i18n-title, data-i18n-aria
// are translated by applyStatic(); dynamic views call t() while rendering.

const en = {
  'app.name': 'Majlis',
  'app.tagline': 'Real-time hybrid meetings',
  'lang.label': 'Language',
  'conn.connecting': 'Connecting…',
  'conn.reconnecting': 'Reconnecting…',
  'conn.reconnectingIn': 'Connection lost — reconnecting (attempt {n}). What you see may be out of date.',
  'conn.closed': 'Disconnected.',
  'conn.fatal': 'Cannot join: {message}',
  'conn.retry': 'Retry now',
  'conn.badge.reconnecting': 'Not live — reconnecting',
  'conn.badge.offline': 'Offline',
  'conn.stop.gone': 'This meeting no longer exists on the server.',
  'conn.stop.token': 'The server no longer accepts this link (its access token was refused). Ask the organiser for a new link.',
  'conn.stop.protocol': 'This page and the server do not understand each other. Reloading the page may help.',
  'conn.stop.denied': 'The server refused this connection.',
  'conn.stop.stopped': 'This page stopped trying to connect.',
  'conn.home': 'Go to the start page',
  'link.incomplete': 'This link is incomplete: it needs a meeting and a token.',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.edit': 'Edit',
  'common.remove': 'Remove',
  'common.up': 'Move up',
  'common.down': 'Move down',
  'common.add': 'Add',
  'common.you': 'you',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.min': '{n} min',
  'common.unknown': 'unknown',
  'common.noGroup': 'no group',
  'error.generic': 'Could not do that: {message}',

  'status.MEETING_STATUS_UNSPECIFIED': '',
  'status.MEETING_STATUS_SCHEDULED': 'Not started',
  'status.MEETING_STATUS_LIVE': 'Live',
  'status.MEETING_STATUS_ENDED': 'Ended',
  'itemStatus.AGENDA_ITEM_STATUS_PENDING': 'Pending',
  'itemStatus.AGENDA_ITEM_STATUS_ACTIVE': 'Current',
  'itemStatus.AGENDA_ITEM_STATUS_DONE': 'Done',
  'itemStatus.AGENDA_ITEM_STATUS_SKIPPED': 'Skipped',
  'kind.REQUEST_KIND_SPEAK': 'Speak',
  'kind.REQUEST_KIND_POINT_OF_ORDER': 'Point of order',
  'kind.REQUEST_KIND_REPLY': 'Reply',
  'kind.REQUEST_KIND_UNSPECIFIED': 'Speak',
  'att.ATTENDANCE_IN_ROOM': 'In the room',
  'att.ATTENDANCE_REMOTE': 'Online',
  'att.ATTENDANCE_UNSPECIFIED': '—',
  'att.in_room': 'In the room',
  'att.remote': 'Online',
  'att.unspecified': 'Not stated',
  'role.ROLE_MODERATOR': 'Chair',
  'role.ROLE_PARTICIPANT': 'Participant',
  'role.ROLE_DISPLAY': 'Display',
  'role.ROLE_OBSERVER': 'Observer',
  'role.ROLE_UNSPECIFIED': '',
  'group.government': 'Government',
  'group.private_sector': 'Private sector',
  'group.civil_society': 'Civil society',
  'group.academia': 'Academia',
  'group.technical_community': 'Technical community',
  'group.international_organisations': 'International organisations',
  'group.international_organizations': 'International organizations',
  'group.unspecified': 'No group',
  'reason.point of order': 'point of order',
  'reason.reply to the current speaker': 'reply to the current speaker',
  'reason.moved by the chair': 'moved by the chair',
  'reason.first time on this item': 'first time on this item',
  'reason.alternates room and remote': 'alternates room and online',
  'reason.in order of request': 'in order of request',
  'reason.groupLeast': '{group} has spoken least',
  'walkIn': 'walk-in',
  'addedByChair': 'added by the chair',

  'floor.none': 'No one has the floor',
  'floor.paused': 'Paused',
  'floor.overtime': 'Overtime',
  'floor.noLimit': 'no time limit',
  'floor.speaking': 'Speaking now',
  'item.none': 'No agenda item is open',
  'item.current': 'Current item',

  // index
  'index.lead': 'Majlis runs hybrid meetings where half the room sits in a hall and the other half joins online: one live state for everyone — who has the floor, who waits to speak and why, which agenda item is on, which poll is open and what it says.',
  'index.clients': 'The web clients',
  'index.console': 'Chair console',
  'index.consoleText': 'Runs the meeting: agenda, speakers, polls, written input. Open it with an admin key to create a meeting.',
  'index.participant': 'Participant page',
  'index.participantText': 'Joined from an invite link: raise a hand, vote, send written input.',
  'index.display': 'Room display',
  'index.displayText': 'For the screen in the hall: current item, speaker and countdown, next speakers, published results.',
  'index.create': 'Create a meeting',
  'index.adminKey': 'Admin key',
  'index.go': 'Open console',

  // console
  'console.title': 'Chair console',
  'create.heading': 'Create a meeting',
  'create.title': 'Title',
  'create.languages': 'Languages',
  'create.groups': 'Stakeholder groups, one per line (empty = the defaults)',
  'create.submit': 'Create meeting',
  'create.done': 'Meeting created. Share these links:',
  'create.continue': 'Continue to the console',
  'create.noKey': 'Open this page with #key=ADMINKEY to create a meeting, or with ?meeting=ID#token=TOKEN to run one.',
  'links.moderator': 'Chair console (keep it private)',
  'links.participant': 'Invite link for participants',
  'links.display': 'Room display',
  'links.observer': 'Observers',
  'meeting.start': 'Start meeting',
  'meeting.end': 'End meeting',
  'meeting.confirmEnd': 'End the meeting for everyone?',
  'agenda.heading': 'Agenda',
  'agenda.add': 'Add item',
  'agenda.title': 'Title',
  'agenda.minutes': 'Minutes',
  'agenda.presenter': 'Presenter',
  'agenda.start': 'Start',
  'agenda.close': 'Close',
  'agenda.skip': 'Skip',
  'agenda.reopen': 'Reopen',
  'agenda.empty': 'No items yet.',
  'outcome.decisions': 'Decisions',
  'outcome.actions': 'Action items',
  'outcome.decision': 'Decision',
  'outcome.recordDecision': 'Record decision',
  'outcome.action': 'Action',
  'outcome.owner': 'Owner',
  'outcome.due': 'Due date',
  'outcome.recordAction': 'Record action item',
  'queue.heading': 'Speakers',
  'queue.empty': 'No one is waiting.',
  'queue.next': 'Next speaker',
  'queue.grant': 'Give floor',
  'queue.closeList': 'Close the list',
  'queue.openList': 'Reopen the list',
  'queue.closed': 'The list is closed',
  'queue.onBehalf': 'Request on behalf of',
  'queue.choose': '— choose a person —',
  'queue.request': 'Queue',
  'queue.noItem': 'Start an agenda item to open its list of speakers.',
  'walkin.heading': 'Walk-in (in the room, no device)',
  'walkin.name': 'Name',
  'walkin.add': 'Add to roster',
  'walkin.addQueue': 'Add and queue',
  'floor.pause': 'Pause',
  'floor.resume': 'Resume',
  'floor.end': 'End turn',
  'floor.limitMin': 'Time limit (min)',
  'policy.heading': 'Queue order',
  'policy.firstTimeFirst': 'First-time speakers first',
  'policy.alternateAttendance': 'Alternate room and online',
  'policy.stakeholderBalance': 'Balance stakeholder groups',
  'policy.defaultTime': 'Default speaking time (min, 0 = none)',
  'equity.heading': 'Speaking time',
  'equity.byGroup': 'By stakeholder group',
  'equity.byAttendance': 'By attendance',
  'equity.turns': '{n} turns',
  'equity.turn': '1 turn',
  'equity.none': 'No turns yet.',
  'roster.heading': 'Participants',
  'roster.count': '{online} of {total} online',
  'roster.online': 'online',
  'roster.offline': 'offline',
  'polls.heading': 'Polls',
  'poll.create': 'Create poll',
  'poll.question': 'Question',
  'poll.kind': 'Type',
  'poll.kind.POLL_KIND_SINGLE': 'Single choice',
  'poll.kind.POLL_KIND_MULTIPLE': 'Multiple choice',
  'poll.kind.POLL_KIND_YES_NO_ABSTAIN': 'Yes / no / abstain',
  'poll.secrecy': 'Ballot',
  'poll.secrecy.POLL_SECRECY_NAMED': 'Named',
  'poll.secrecy.POLL_SECRECY_SECRET': 'Secret',
  'poll.visibility': 'Results shown',
  'poll.vis.RESULTS_VISIBILITY_LIVE': 'Live',
  'poll.vis.RESULTS_VISIBILITY_AFTER_CLOSE': 'After closing',
  'poll.vis.RESULTS_VISIBILITY_ON_PUBLISH': 'When published',
  'poll.status.POLL_STATUS_DRAFT': 'Draft',
  'poll.status.POLL_STATUS_OPEN': 'Open',
  'poll.status.POLL_STATUS_CLOSED': 'Closed',
  'poll.status.POLL_STATUS_PUBLISHED': 'Published',
  'poll.options': 'Options, one per line',
  'poll.min': 'Min choices',
  'poll.max': 'Max choices',
  'poll.open': 'Open',
  'poll.close': 'Close',
  'poll.publish': 'Publish results',
  'poll.delete': 'Delete',
  'poll.turnout': '{voted} voted / {eligible} eligible online',
  'poll.noResults': 'Results are not shown yet.',
  'poll.vote': 'Vote',
  'poll.changeVote': 'Change my vote',
  'poll.yourVote': 'Your vote: {choices}',
  'poll.voted': 'Your vote has been recorded.',
  'poll.secretFinal': 'Secret ballot: your vote is final.',
  'poll.namedMayChange': 'Named vote: you may change it while the poll is open.',
  'poll.choose': 'Choose {min} to {max}.',
  'poll.none': 'No poll is open.',
  'poll.yes': 'Yes',
  'poll.no': 'No',
  'poll.abstain': 'Abstain',
  'poll.liveTally': 'live tally',
  'contrib.heading': 'Written input',
  'contrib.placeholder': 'Your comment or question',
  'contrib.submit': 'Send',
  'contrib.upvote': 'Support',
  'contrib.answered': 'Answered',
  'contrib.hidden': 'Hidden',
  'contrib.markAnswered': 'Mark answered',
  'contrib.unmarkAnswered': 'Not answered',
  'contrib.hide': 'Hide',
  'contrib.show': 'Show',
  'contrib.empty': 'No written input yet.',

  // participant
  'part.title': 'Participant',
  'part.raiseHand': 'Raise hand',
  'part.pointOfOrder': 'Point of order',
  'part.reply': 'Reply to the speaker',
  'part.withdraw': 'Withdraw',
  'part.position': 'You are number {n} in the queue',
  'part.why': 'Why: {reason}',
  'part.youHaveFloor': 'You have the floor',
  'part.endMyTurn': 'End my turn',
  'part.readOnly': 'You follow this meeting as an observer.',
  'part.myRequests': 'My requests',

  // display
  'disp.next': 'Next speakers',
  'disp.results': 'Results',

  // join
  'join.heading': 'Join the meeting',
  'join.name': 'Your name',
  'join.group': 'Stakeholder group',
  'join.attendance': 'How are you taking part?',
  'join.inRoom': 'In the room',
  'join.remote': 'Online',
  'join.submit': 'Join',
  'join.continueAs': 'Continue as before',
  'join.badLink': 'This invite link is not valid: {message}',
  'join.loading': 'Loading…',
  'join.nameRequired': 'Please enter your name.',
};

const ar = {
  'app.name': 'مجلس',
  'app.tagline': 'اجتماعات هجينة في الزمن الحقيقي',
  'lang.label': 'اللغة',
  'conn.connecting': 'جارٍ الاتصال…',
  'conn.reconnecting': 'جارٍ إعادة الاتصال…',
  'conn.reconnectingIn': 'انقطع الاتصال — جارٍ إعادة الاتصال (المحاولة {n}). قد لا يكون المعروض محدَّثًا.',
  'conn.closed': 'انقطع الاتصال.',
  'conn.fatal': 'تعذّر الانضمام: {message}',
  'conn.retry': 'أعد المحاولة الآن',
  'conn.badge.reconnecting': 'غير مباشر — جارٍ إعادة الاتصال',
  'conn.badge.offline': 'غير متصل',
  'conn.stop.gone': 'هذا الاجتماع لم يعد موجودًا على الخادم.',
  'conn.stop.token': 'لم يعد الخادم يقبل هذا الرابط (رُفض رمز الدخول). اطلب رابطًا جديدًا من المنظِّم.',
  'conn.stop.protocol': 'تعذّر التفاهم بين هذه الصفحة والخادم. قد تفيد إعادة تحميل الصفحة.',
  'conn.stop.denied': 'رفض الخادم هذا الاتصال.',
  'conn.stop.stopped': 'توقّفت هذه الصفحة عن محاولة الاتصال.',
  'conn.home': 'الذهاب إلى الصفحة الرئيسية',
  'link.incomplete': 'هذا الرابط غير مكتمل: يلزمه معرّف الاجتماع ورمز الدخول.',
  'common.save': 'حفظ',
  'common.cancel': 'إلغاء',
  'common.edit': 'تعديل',
  'common.remove': 'حذف',
  'common.up': 'إلى الأعلى',
  'common.down': 'إلى الأسفل',
  'common.add': 'إضافة',
  'common.you': 'أنت',
  'common.copy': 'نسخ',
  'common.copied': 'تم النسخ',
  'common.min': '{n} د',
  'common.unknown': 'غير معروف',
  'common.noGroup': 'بلا مجموعة',
  'error.generic': 'تعذّر تنفيذ الطلب: {message}',

  'status.MEETING_STATUS_UNSPECIFIED': '',
  'status.MEETING_STATUS_SCHEDULED': 'لم يبدأ بعد',
  'status.MEETING_STATUS_LIVE': 'جارٍ الآن',
  'status.MEETING_STATUS_ENDED': 'انتهى',
  'itemStatus.AGENDA_ITEM_STATUS_PENDING': 'قيد الانتظار',
  'itemStatus.AGENDA_ITEM_STATUS_ACTIVE': 'البند الحالي',
  'itemStatus.AGENDA_ITEM_STATUS_DONE': 'منتهٍ',
  'itemStatus.AGENDA_ITEM_STATUS_SKIPPED': 'تم تخطيه',
  'kind.REQUEST_KIND_SPEAK': 'كلمة',
  'kind.REQUEST_KIND_POINT_OF_ORDER': 'نقطة نظام',
  'kind.REQUEST_KIND_REPLY': 'رد',
  'kind.REQUEST_KIND_UNSPECIFIED': 'كلمة',
  'att.ATTENDANCE_IN_ROOM': 'في القاعة',
  'att.ATTENDANCE_REMOTE': 'عن بُعد',
  'att.ATTENDANCE_UNSPECIFIED': '—',
  'att.in_room': 'في القاعة',
  'att.remote': 'عن بُعد',
  'att.unspecified': 'غير محدد',
  'role.ROLE_MODERATOR': 'رئيس الجلسة',
  'role.ROLE_PARTICIPANT': 'مشارك',
  'role.ROLE_DISPLAY': 'شاشة العرض',
  'role.ROLE_OBSERVER': 'مراقب',
  'role.ROLE_UNSPECIFIED': '',
  'group.government': 'الحكومة',
  'group.private_sector': 'القطاع الخاص',
  'group.civil_society': 'المجتمع المدني',
  'group.academia': 'الأوساط الأكاديمية',
  'group.technical_community': 'المجتمع التقني',
  'group.international_organisations': 'المنظمات الدولية',
  'group.international_organizations': 'المنظمات الدولية',
  'group.unspecified': 'بلا مجموعة',
  'reason.point of order': 'نقطة نظام',
  'reason.reply to the current speaker': 'رد على المتحدث الحالي',
  'reason.moved by the chair': 'نقله رئيس الجلسة',
  'reason.first time on this item': 'أول مداخلة في هذا البند',
  'reason.alternates room and remote': 'التناوب بين القاعة والمشاركين عن بُعد',
  'reason.in order of request': 'حسب ترتيب الطلب',
  'reason.groupLeast': '{group}: الأقل وقتًا في الكلام',
  'walkIn': 'حاضر بلا جهاز',
  'addedByChair': 'أضافه رئيس الجلسة',

  'floor.none': 'لا أحد يتحدث الآن',
  'floor.paused': 'متوقف مؤقتًا',
  'floor.overtime': 'تجاوز الوقت',
  'floor.noLimit': 'بلا حد زمني',
  'floor.speaking': 'يتحدث الآن',
  'item.none': 'لا يوجد بند مفتوح',
  'item.current': 'البند الحالي',

  'index.lead': 'مجلس يدير الاجتماعات الهجينة التي يجلس نصف حضورها في القاعة وينضم نصفها الآخر عبر الإنترنت: حالة حيّة واحدة للجميع — من يتحدث، ومن ينتظر دوره ولماذا، وأي بند يُناقش، وأي تصويت مفتوح وما نتيجته.',
  'index.clients': 'واجهات الويب',
  'index.console': 'لوحة رئيس الجلسة',
  'index.consoleText': 'لإدارة الاجتماع: جدول الأعمال، والمتحدثون، والتصويت، والمساهمات المكتوبة. افتحها بمفتاح الإدارة لإنشاء اجتماع.',
  'index.participant': 'صفحة المشارك',
  'index.participantText': 'تُفتح من رابط الدعوة: طلب الكلمة، والتصويت، وإرسال المساهمات المكتوبة.',
  'index.display': 'شاشة القاعة',
  'index.displayText': 'لشاشة العرض في القاعة: البند الحالي، والمتحدث والوقت المتبقي، والمتحدثون التاليون، والنتائج المنشورة.',
  'index.create': 'إنشاء اجتماع',
  'index.adminKey': 'مفتاح الإدارة',
  'index.go': 'فتح اللوحة',

  'console.title': 'لوحة رئيس الجلسة',
  'create.heading': 'إنشاء اجتماع',
  'create.title': 'العنوان',
  'create.languages': 'اللغات',
  'create.groups': 'مجموعات أصحاب المصلحة، واحدة في كل سطر (اتركه فارغًا للقائمة الافتراضية)',
  'create.submit': 'إنشاء الاجتماع',
  'create.done': 'تم إنشاء الاجتماع. شارك هذه الروابط:',
  'create.continue': 'المتابعة إلى اللوحة',
  'create.noKey': 'افتح هذه الصفحة مع ‎#key=ADMINKEY لإنشاء اجتماع، أو مع ‎?meeting=ID#token=TOKEN لإدارة اجتماع.',
  'links.moderator': 'لوحة رئيس الجلسة (احتفظ به سرًّا)',
  'links.participant': 'رابط دعوة المشاركين',
  'links.display': 'شاشة القاعة',
  'links.observer': 'المراقبون',
  'meeting.start': 'بدء الاجتماع',
  'meeting.end': 'إنهاء الاجتماع',
  'meeting.confirmEnd': 'هل تريد إنهاء الاجتماع للجميع؟',
  'agenda.heading': 'جدول الأعمال',
  'agenda.add': 'إضافة بند',
  'agenda.title': 'العنوان',
  'agenda.minutes': 'الدقائق',
  'agenda.presenter': 'المقدِّم',
  'agenda.start': 'بدء',
  'agenda.close': 'إغلاق',
  'agenda.skip': 'تخطٍّ',
  'agenda.reopen': 'إعادة فتح',
  'agenda.empty': 'لا توجد بنود بعد.',
  'outcome.decisions': 'القرارات',
  'outcome.actions': 'المهام',
  'outcome.decision': 'القرار',
  'outcome.recordDecision': 'تسجيل القرار',
  'outcome.action': 'المهمة',
  'outcome.owner': 'المسؤول',
  'outcome.due': 'تاريخ الاستحقاق',
  'outcome.recordAction': 'تسجيل المهمة',
  'queue.heading': 'قائمة المتحدثين',
  'queue.empty': 'لا أحد في الانتظار.',
  'queue.next': 'المتحدث التالي',
  'queue.grant': 'منح الكلمة',
  'queue.closeList': 'إغلاق القائمة',
  'queue.openList': 'إعادة فتح القائمة',
  'queue.closed': 'القائمة مغلقة',
  'queue.onBehalf': 'طلب الكلمة نيابةً عن',
  'queue.choose': '— اختر شخصًا —',
  'queue.request': 'إدراج',
  'queue.noItem': 'ابدأ بندًا من جدول الأعمال لفتح قائمة المتحدثين فيه.',
  'walkin.heading': 'حاضر في القاعة بلا جهاز',
  'walkin.name': 'الاسم',
  'walkin.add': 'إضافة إلى القائمة',
  'walkin.addQueue': 'إضافة وطلب الكلمة',
  'floor.pause': 'إيقاف مؤقت',
  'floor.resume': 'استئناف',
  'floor.end': 'إنهاء المداخلة',
  'floor.limitMin': 'المدة (بالدقائق)',
  'policy.heading': 'ترتيب القائمة',
  'policy.firstTimeFirst': 'الأولوية لمن لم يتحدث بعد',
  'policy.alternateAttendance': 'التناوب بين القاعة والمشاركين عن بُعد',
  'policy.stakeholderBalance': 'التوازن بين مجموعات أصحاب المصلحة',
  'policy.defaultTime': 'مدة الكلمة الافتراضية (بالدقائق، 0 = بلا حد)',
  'equity.heading': 'وقت الكلام',
  'equity.byGroup': 'حسب مجموعة أصحاب المصلحة',
  'equity.byAttendance': 'حسب طريقة الحضور',
  'equity.turns': 'مداخلات: {n}',
  'equity.turn': 'مداخلة واحدة',
  'equity.none': 'لا مداخلات بعد.',
  'roster.heading': 'المشاركون',
  'roster.count': '{online} من {total} متصلون',
  'roster.online': 'متصل',
  'roster.offline': 'غير متصل',
  'polls.heading': 'التصويت',
  'poll.create': 'إنشاء تصويت',
  'poll.question': 'السؤال',
  'poll.kind': 'النوع',
  'poll.kind.POLL_KIND_SINGLE': 'خيار واحد',
  'poll.kind.POLL_KIND_MULTIPLE': 'خيارات متعددة',
  'poll.kind.POLL_KIND_YES_NO_ABSTAIN': 'نعم / لا / امتناع',
  'poll.secrecy': 'الاقتراع',
  'poll.secrecy.POLL_SECRECY_NAMED': 'علني',
  'poll.secrecy.POLL_SECRECY_SECRET': 'سري',
  'poll.visibility': 'عرض النتائج',
  'poll.vis.RESULTS_VISIBILITY_LIVE': 'مباشرة',
  'poll.vis.RESULTS_VISIBILITY_AFTER_CLOSE': 'بعد الإغلاق',
  'poll.vis.RESULTS_VISIBILITY_ON_PUBLISH': 'عند النشر',
  'poll.status.POLL_STATUS_DRAFT': 'مسودة',
  'poll.status.POLL_STATUS_OPEN': 'مفتوح',
  'poll.status.POLL_STATUS_CLOSED': 'مغلق',
  'poll.status.POLL_STATUS_PUBLISHED': 'منشور',
  'poll.options': 'الخيارات، خيار في كل سطر',
  'poll.min': 'أقل عدد',
  'poll.max': 'أكبر عدد',
  'poll.open': 'فتح',
  'poll.close': 'إغلاق',
  'poll.publish': 'نشر النتائج',
  'poll.delete': 'حذف',
  'poll.turnout': 'صوّت {voted} من {eligible} مؤهلين متصلين',
  'poll.noResults': 'النتائج غير معروضة بعد.',
  'poll.vote': 'تصويت',
  'poll.changeVote': 'تغيير صوتي',
  'poll.yourVote': 'صوتك: {choices}',
  'poll.voted': 'تم تسجيل صوتك.',
  'poll.secretFinal': 'اقتراع سري: صوتك نهائي.',
  'poll.namedMayChange': 'تصويت علني: يمكنك تغيير صوتك ما دام التصويت مفتوحًا.',
  'poll.choose': 'اختر من {min} إلى {max}.',
  'poll.none': 'لا يوجد تصويت مفتوح.',
  'poll.yes': 'نعم',
  'poll.no': 'لا',
  'poll.abstain': 'امتناع',
  'poll.liveTally': 'نتيجة مباشرة',
  'contrib.heading': 'المساهمات المكتوبة',
  'contrib.placeholder': 'تعليقك أو سؤالك',
  'contrib.submit': 'إرسال',
  'contrib.upvote': 'تأييد',
  'contrib.answered': 'تمت الإجابة',
  'contrib.hidden': 'مخفي',
  'contrib.markAnswered': 'تمت الإجابة',
  'contrib.unmarkAnswered': 'لم تتم الإجابة',
  'contrib.hide': 'إخفاء',
  'contrib.show': 'إظهار',
  'contrib.empty': 'لا توجد مساهمات بعد.',

  'part.title': 'مشارك',
  'part.raiseHand': 'طلب الكلمة',
  'part.pointOfOrder': 'نقطة نظام',
  'part.reply': 'الرد على المتحدث',
  'part.withdraw': 'سحب الطلب',
  'part.position': 'ترتيبك {n} في قائمة المتحدثين',
  'part.why': 'السبب: {reason}',
  'part.youHaveFloor': 'الكلمة لك الآن',
  'part.endMyTurn': 'إنهاء مداخلتي',
  'part.readOnly': 'أنت تتابع هذا الاجتماع بصفة مراقب.',
  'part.myRequests': 'طلباتي',

  'disp.next': 'المتحدثون التاليون',
  'disp.results': 'النتائج',

  'join.heading': 'الانضمام إلى الاجتماع',
  'join.name': 'اسمك',
  'join.group': 'مجموعة أصحاب المصلحة',
  'join.attendance': 'كيف تشارك؟',
  'join.inRoom': 'في القاعة',
  'join.remote': 'عن بُعد',
  'join.submit': 'انضمام',
  'join.continueAs': 'المتابعة كما في السابق',
  'join.badLink': 'رابط الدعوة غير صالح: {message}',
  'join.loading': 'جارٍ التحميل…',
  'join.nameRequired': 'يرجى كتابة اسمك.',
};

export const STRINGS = { en, ar };
export const LANGUAGES = [
  { code: 'en', label: 'English', dir: 'ltr' },
  { code: 'ar', label: 'العربية', dir: 'rtl' },
];

const STORAGE_KEY = 'majlis.lang';
const listeners = new Set();
let current = 'en';

function initialLang() {
  try {
    const fromUrl = new URLSearchParams(location.search).get('lang');
    if (fromUrl && STRINGS[fromUrl]) return fromUrl;
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && STRINGS[saved]) return saved;
  } catch { /* no storage */ }
  const nav = (globalThis.navigator?.language || 'en').slice(0, 2);
  return STRINGS[nav] ? nav : 'en';
}

export function getLang() {
  return current;
}

export function dirOf(lang) {
  return LANGUAGES.find((l) => l.code === lang)?.dir || 'ltr';
}

// Translates key, filling {name} placeholders; unknown keys fall back to English, then the key.
export function t(key, params) {
  let s = STRINGS[current][key];
  if (s === undefined) s = en[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
  return s;
}

// Translates a value when the table knows it (prefix + value), else shows the value itself.
export function tOr(prefix, value) {
  const key = prefix + value;
  if (STRINGS[current][key] !== undefined || en[key] !== undefined) return t(key);
  return value;
}

export function groupLabel(group) {
  if (!group) return t('common.noGroup');
  const norm = group.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const key = `group.${norm}`;
  return STRINGS[current][key] ?? en[key] ?? group;
}

export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

export function setLang(lang) {
  if (!STRINGS[lang]) return;
  current = lang;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* no storage */ }
  if (globalThis.document) {
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
    applyStatic();
    for (const sel of document.querySelectorAll('select.lang-switch')) sel.value = lang;
  }
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// A <select> that switches the language; put it in the page header.
export function langSwitch() {
  const sel = document.createElement('select');
  sel.className = 'lang-switch';
  sel.setAttribute('aria-label', 'Language / اللغة');
  for (const l of LANGUAGES) {
    const o = document.createElement('option');
    o.value = l.code;
    o.textContent = l.label;
    o.lang = l.code;
    sel.append(o);
  }
  sel.value = current;
  sel.addEventListener('change', () => setLang(sel.value));
  return sel;
}

if (globalThis.document) {
  current = initialLang();
  document.documentElement.lang = current;
  document.documentElement.dir = dirOf(current);
}
