"""Comment and review texts of the demo, per theme and tone, in Chinese and English.

Each theme has complaints and praise; the generator picks by the answer's score, so text
analytics later find the themes where the planted effects put them.
"""

from __future__ import annotations

NEGATIVE: dict[str, dict[str, list[str]]] = {
    "waiting": {
        "zh": [
            "收银台排队等了二十分钟，太慢了",
            "结账排队太久，只开了一个收银台",
            "等了半天才轮到我，体验很差",
        ],
        "en": [
            "Waited twenty minutes in the checkout queue",
            "Only one till open, the queue was far too slow",
            "Long wait before anyone served me",
        ],
    },
    "staff": {
        "zh": ["店员态度冷淡，问什么都不耐烦", "客服态度很差，一直推脱", "服务员爱答不理"],
        "en": [
            "Staff were rude and impatient",
            "The agent kept passing me around, unfriendly",
            "Nobody on the floor wanted to help",
        ],
    },
    "price": {
        "zh": ["价格比别家贵太多了", "优惠券用不了，感觉被骗", "同样的东西这里太贵"],
        "en": [
            "Prices are much higher than elsewhere",
            "The discount code did not work",
            "Too expensive for what you get",
        ],
    },
    "cleanliness": {
        "zh": ["试衣间很脏，地上都是灰", "门店卫生太差了"],
        "en": ["The fitting room was dirty", "The store looked messy and unclean"],
    },
    "payment": {
        "zh": ["支付失败好几次，还被重复扣款", "付款页面一直转圈，最后放弃了", "App支付老是报错"],
        "en": [
            "Payment failed three times and I was charged twice",
            "The payment page kept spinning, I gave up",
            "Card payment errors in the app again",
        ],
    },
    "delivery": {
        "zh": ["快递太慢了，晚了三天才到", "物流信息一直不更新", "送货员把包裹放在门口就走了"],
        "en": [
            "Delivery was three days late",
            "Parcel tracking never updated",
            "The courier left the parcel outside without calling",
        ],
    },
    "information": {
        "zh": ["客服说的和官网查到的订单状态不一样", "热线和App的说法不一，不知道该信谁"],
        "en": [
            "The hotline told me something different from the order status online",
            "App and call center gave inconsistent information",
        ],
    },
}

POSITIVE: dict[str, dict[str, list[str]]] = {
    "waiting": {"zh": ["结账很快，基本不用排队"], "en": ["Quick checkout, no queue at all"]},
    "staff": {
        "zh": ["店员很热情，帮我找到了合适的尺码", "客服耐心专业，一次就解决了"],
        "en": [
            "Friendly staff helped me find my size",
            "The agent was patient and fixed it at once",
        ],
    },
    "price": {"zh": ["价格实惠，优惠力度大"], "en": ["Good prices and a generous discount"]},
    "cleanliness": {"zh": ["门店干净整洁"], "en": ["The store was clean and tidy"]},
    "payment": {"zh": ["支付很方便，一秒搞定"], "en": ["Paying was quick and easy"]},
    "delivery": {
        "zh": ["物流很快，第二天就到了，包装完好", "快递员很有礼貌"],
        "en": ["Fast delivery, arrived the next day in perfect shape", "Polite courier, on time"],
    },
    "information": {"zh": ["订单信息清楚，查询方便"], "en": ["Order status was clear everywhere"]},
}

# The theme a comment about a touchpoint is most likely about.
TOUCHPOINT_THEME = {
    "store_checkout": "waiting",
    "store_staff": "staff",
    "store_fitting": "cleanliness",
    "store_window": "price",
    "store_aftersales": "staff",
    "web_checkout": "payment",
    "app_payment": "payment",
    "wechat_shop": "payment",
    "delivery_speed": "delivery",
    "delivery_courier": "delivery",
    "returns": "delivery",
    "app_tracking": "information",
    "web_order_status": "information",
    "hotline_order_status": "information",
    "hotline_support": "staff",
    "hotline_order": "staff",
    "wechat_service": "staff",
}
THEMES = tuple(NEGATIVE)
