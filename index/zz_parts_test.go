package index

import (
	"fmt"
	"testing"
)

func TestZZParts(t *testing.T) {
	ix := builtIndex(t, partsCorpus)
	ix.SetSearchCacheSize(0)
	for _, q := range []string{"表哥找银行贷款让我当担保人,这个会上我的征信吗", "网上借钱签的电子合同事后能反悔吗", "当担保人会上征信吗", "担保人会上征信吗", "签电子合同要注意什么", "公司拖欠了两个月工资该去哪里投诉"} {
		res := searchPage(t, ix, q, 1, 10)
		fmt.Println(q)
		for _, h := range res.Hits {
			fmt.Printf("   %s %.3f %v %s\n", h.ID, h.Score, h.Relaxed, h.Title)
		}
	}
}
